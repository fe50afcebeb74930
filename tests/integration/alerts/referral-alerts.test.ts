import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { fixedClock } from '../../../server/clock.ts';
import { explainReferral } from '../../../server/alerts/explain.ts';
import { getFirstContactSlot, setCaseworkerPattern } from '../../../server/offices/index.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../mail/smtp-test-server.ts';
import { addStaff } from './support.ts';

type Clock = ReturnType<typeof fixedClock>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Things only he wrote: none may ever appear in a staff alert. */
const PERSONAL = {
  name: 'Quillon Verbeek',
  phone: '0113 496 0777',
  email: 'quillon.verbeek@example.net',
  area: 'Ilkley LS29',
  gpPractice: 'Moorside Surgery, Ilkley',
  localAuthority: 'Kirklees Council',
  anythingElse: 'Marzipan heron at the allotment',
};
const PERSONAL_NEEDLES = [
  ...Object.values(PERSONAL),
  '0113',
  '4960777',
  'verbeek',
  'Quillon',
  'Marzipan',
  'Moorside',
  'Kirklees',
  'Ilkley',
];

function answers(fixture: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const base = JSON.parse(readFileSync(join(projectRoot, 'tests/fixtures/referrals', fixture), 'utf8')) as Record<
    string,
    unknown
  >;
  return { ...base, ...PERSONAL, socialCareInvolved: 'yes', ...overrides };
}

async function smtp(port = 0): Promise<TestSmtpServer> {
  const server = await startSmtpServer(port);
  cleanups.push(() => server.close());
  return server;
}

async function app(clock: Clock, env: Record<string, string>, dir?: string): Promise<TestApp> {
  const t = await buildTestApp({
    clock,
    env: { ...env, ...(dir ? { DATA_DIR: dir } : {}) },
    deps: { alerts: { startAlertScheduler: false } },
  });
  cleanups.push(() => t.cleanup());
  return t;
}

let addressCounter = 0;
/** Sends a referral through the real JSON API, as a program would: token first, then the answers. */
async function submit(
  t: TestApp,
  clock: Clock,
  body: Record<string, unknown>,
): Promise<{ reference: string; contactBy: string }> {
  addressCounter += 1;
  const remoteAddress = `192.0.2.${addressCounter % 250}`;
  const token = await t.app.inject({ method: 'GET', url: '/api/referrals/form-token', remoteAddress });
  expect(token.statusCode).toBe(200);
  clock.advance(10_000); // a person takes longer than the bot threshold
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/referrals',
    remoteAddress,
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...body, formToken: token.json<{ formToken: string }>().formToken }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

function referralId(t: TestApp, reference: string): string {
  return t.database.db.select({ id: referrals.id }).from(referrals).where(eq(referrals.reference, reference)).get()!.id;
}

/** Every message in the outbox was sent, and the SMTP server received each exactly once. */
function expectEachDeliveredOnce(t: TestApp, server: TestSmtpServer): void {
  const rows = t.database.db.select().from(outboxMessages).all();
  expect(rows.length).toBeGreaterThan(0);
  expect(rows.filter((row) => row.status !== 'sent')).toEqual([]);
  const host = new URL(t.config.publicBaseUrl).hostname;
  expect(server.received.map((m) => m.parsed.messageId).sort()).toEqual(
    rows.map((row) => `<${row.id}@${host}>`).sort(),
  );
}

const staffAlerts = (mail: ReceivedMail[]) => mail.filter((m) => !m.envelopeTo.includes(PERSONAL.email));

describe('new-referral alerts, end to end over real SMTP', () => {
  it('alerts triage and the duty list at once for Today, with the reference, priority, contact-by and link only', async () => {
    const server = await smtp();
    const clock = fixedClock('2026-12-03T10:00:00Z'); // Thursday, in hours
    const t = await app(clock, { SMTP_URL: server.url, PUBLIC_BASE_URL: 'https://portal.example.org' });
    const body = answers('plan-and-not-safe.json');
    const explained = explainReferral(t.database.db, body, new Date('2026-12-03T10:00:10Z'));
    const { reference } = await submit(t, clock, body);

    // His acknowledgement, the alert and (no caseworker is rostered yet) a capacity warning to managers,
    // sent by the worker as soon as the referral committed.
    await server.waitFor(3);
    const [alert, capacity, ...others] = staffAlerts(server.received);
    expect(others).toEqual([]);
    expect(capacity!.parsed.subject).toMatch(/^\[Capacity short\]/);
    const id = referralId(t, reference);
    expect(alert!.envelopeTo.sort()).toEqual(['duty-leeds@example.org', 'triage-leeds@example.org']);
    expect(alert!.parsed.subject).toBe(`[TODAY] New referral ${reference}: contact by Thu 3 Dec 2026, 17:00`);
    const text = alert!.parsed.text ?? '';
    expect(text).toContain(`Reference:  ${reference}`);
    expect(text).toContain('Priority:   Today');
    expect(text).toContain('Contact by: Thu 3 Dec 2026, 17:00');
    expect(text).toContain(`https://portal.example.org/staff/referrals/${id}`);
    const outboxId = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.dedupeKey, `referral:${id}:new`))
      .get()!.id;
    expect(alert!.parsed.messageId).toBe(`<${outboxId}@portal.example.org>`);

    // Nothing about him: not what he typed, not his answers, not the reasons or flags staff see inside.
    expect(explained.ok).toBe(true);
    const insideOnly = explained.ok
      ? [...explained.explanation.reasons, ...explained.explanation.flags].map((r) => r.text)
      : [];
    expect(insideOnly.length).toBeGreaterThan(2);
    for (const message of [alert!, capacity!]) {
      for (const needle of [
        ...PERSONAL_NEEDLES,
        ...insideOnly,
        'plan',
        'keep himself',
        'children',
        'thoughts',
        'police',
        'offence',
      ]) {
        expect(message.raw.toLowerCase(), needle).not.toContain(needle.toLowerCase());
      }
    }
  });

  it('sends a Within 7 days referral to triage only', async () => {
    const server = await smtp();
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const t = await app(clock, { SMTP_URL: server.url });
    const { reference } = await submit(
      t,
      clock,
      answers('no-urgent-answers.json', { email: undefined, emailSafe: undefined }),
    );
    const [alert] = await server.waitFor(2);
    expect(alert!.envelopeTo).toEqual(['triage-leeds@example.org']);
    expect(alert!.parsed.subject).toBe(`[Within 7 days] New referral ${reference}: contact by Thu 10 Dec 2026, 17:00`);
  });

  it('alerts the duty list immediately when a Today referral arrives out of hours', async () => {
    const server = await smtp();
    const clock = fixedClock('2026-12-05T22:15:00Z'); // Saturday night
    const t = await app(clock, { SMTP_URL: server.url });
    const { reference, contactBy } = await submit(
      t,
      clock,
      answers('plan-and-not-safe.json', { email: undefined, emailSafe: undefined }),
    );
    expect(contactBy).toBe('2026-12-07T11:00:00.000Z'); // first thing Monday
    const [alert] = await server.waitFor(2);
    expect(alert!.envelopeTo.sort()).toEqual(['duty-leeds@example.org', 'triage-leeds@example.org']);
    expect(alert!.parsed.subject).toBe(
      `[TODAY, received out of hours] New referral ${reference}: contact by Mon 7 Dec 2026, 11:00`,
    );
    expect(alert!.parsed.text).toContain('outside office hours');
  });

  it('books the proposed slot in the same transaction, as triage:explain predicted, and warns managers when nothing fits', async () => {
    const server = await smtp();
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const t = await app(clock, { SMTP_URL: server.url });
    const alex = addStaff(t.database.db, { name: 'Alex', offices: ['manchester'] });
    setCaseworkerPattern(
      t.database.db,
      alex,
      { weekly: [4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })), maxFirstContactsPerDay: 1 },
      clock.now(),
    );

    // Manchester: Alex's one first contact this Thursday goes to the first referral.
    const first = answers('safe-times-afternoon.json', {
      office: 'manchester',
      email: undefined,
      emailSafe: undefined,
    });
    const predicted = explainReferral(t.database.db, first, new Date('2026-12-03T10:00:10Z'));
    const one = await submit(t, clock, first);
    const slot = getFirstContactSlot(t.database.db, referralId(t, one.reference));
    expect(predicted.ok && predicted.explanation.proposedSlot).toEqual({
      kind: 'slot',
      start: '2026-12-03T12:00:00.000Z',
      end: '2026-12-03T12:30:00.000Z',
      staffId: alex,
      channel: 'phone',
    });
    expect(slot).toMatchObject({
      kind: 'slot',
      staffId: alex,
      startsAt: new Date('2026-12-03T12:00:00Z'),
      channel: 'phone',
    });
    expect(predicted.ok && predicted.explanation.contactBy).toBe(one.contactBy);

    // The second must be reached by Friday; Alex has had his one first contact for Thursday and does not
    // work Fridays: the deadline is proposed, and managers are told.
    const two = await submit(t, clock, {
      ...first,
      thoughtsOfEndingLife: 'sometimes',
      madePlanOrTakenSteps: 'no',
      ableToKeepSafe: 'yes',
    });
    const second = getFirstContactSlot(t.database.db, referralId(t, two.reference))!;
    expect(second).toMatchObject({ kind: 'deadline_fallback', reasonId: 'caseworkers_fully_booked', staffId: null });
    expect(second.endsAt.toISOString()).toBe(two.contactBy);
    const mail = await server.waitFor(3);
    const warnings = mail.filter((m) => m.parsed.subject?.startsWith('[Capacity short]'));
    expect(warnings).toHaveLength(1);
    const warning = warnings[0]!;
    expect(warning.envelopeTo).toEqual(['managers-manchester@example.org']);
    expect(warning.parsed.subject).toBe(`[Capacity short] Referral ${two.reference}: contact by Fri 4 Dec 2026, 17:00`);
    expect(warning.parsed.text).toContain('Every rostered caseworker is fully booked');
    expect(warning.raw).not.toContain('afternoon');
  });
});

describe('alerts are never lost', () => {
  it('queues alerts while the SMTP server is down and delivers each exactly once when it is back', async () => {
    const server = await smtp();
    const port = server.port;
    await server.close(); // down: connection refused
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const t = await app(clock, { SMTP_URL: `smtp://127.0.0.1:${port}` });
    const noEmail = { email: undefined, emailSafe: undefined };
    const sent = [
      await submit(t, clock, answers('no-urgent-answers.json', noEmail)),
      await submit(t, clock, answers('plan-and-not-safe.json', noEmail)),
      await submit(t, clock, answers('arrested-yesterday.json', { ...noEmail, policeContactDate: '2026-12-02' })),
    ];
    // Each referral was answered 201 and stored, with its alerts waiting: the new-referral alert, and (no
    // caseworker has a pattern yet) a capacity warning to managers.
    await t.app.mailWorker.runOnce(clock.now());
    const queued = t.database.db.select().from(outboxMessages).all();
    expect(queued.map((m) => m.kind).sort()).toEqual([
      ...Array(3).fill('capacity_short'),
      ...Array(3).fill('referral_alert'),
    ]);
    expect(
      queued.every((m) => m.status === 'pending' && m.attempts === 1 && /ECONNREFUSED/.test(m.lastError ?? '')),
    ).toBe(true);

    const back = await smtp(port);
    // Still inside the backoff: nothing yet.
    await t.app.mailWorker.runOnce(clock.now());
    expect(back.received).toEqual([]);
    clock.advance(10 * 60_000);
    await t.app.mailWorker.runOnce(clock.now());
    await t.app.mailWorker.runOnce(new Date(clock.now().getTime() + 3_600_000));
    expectEachDeliveredOnce(t, back);
    const alerted = back.received.filter((m) => m.parsed.subject?.includes('New referral'));
    expect(alerted.map((m) => m.parsed.subject?.match(/SL-[A-Z0-9-]+/)?.[0]).sort()).toEqual(
      sent.map((s) => s.reference).sort(),
    );
  });

  it('resumes after a restart in the middle of sending, without losing or repeating an alert', async () => {
    const server = await smtp();
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const first = await app(clock, { SMTP_URL: server.url }, undefined);
    const dir = first.dir;
    const noEmail = { email: undefined, emailSafe: undefined };
    // The server takes the first alert, then stops answering mid-message.
    server.holdData = true;
    const held = server.waitForHeld();
    const references = [(await submit(first, clock, answers('no-urgent-answers.json', noEmail))).reference];
    await held;
    references.push((await submit(first, clock, answers('plan-and-not-safe.json', noEmail))).reference);
    references.push(
      (
        await submit(
          first,
          clock,
          answers('court-date-before-next-working-day.json', { ...noEmail, courtDate: '2026-12-07' }),
        )
      ).reference,
    );

    // Shut down while that send hangs: the connection drops, the attempt is recorded, nothing else is sent.
    server.holdData = false;
    const port = server.port;
    const closing = first.app.close();
    await server.close();
    await closing;
    expect(server.received).toEqual([]);

    // Start again on the same data directory, with the mail server back.
    const back = await smtp(port);
    const second = await buildTestApp({
      clock,
      env: {
        SMTP_URL: back.url,
        DATA_DIR: dir,
        DATA_KEY: first.config.dataKey,
        SESSION_SECRET: first.config.sessionSecret,
      },
      deps: { alerts: { startAlertScheduler: false } },
    });
    cleanups.push(() => second.cleanup());
    await second.app.ready();
    clock.advance(5 * 60_000);
    second.app.mailWorker.notify();
    await back.waitFor(6);
    await second.app.mailWorker.runOnce(new Date(clock.now().getTime() + 3_600_000));
    expectEachDeliveredOnce(second, back);
    const alerted = back.received.filter((m) => m.parsed.subject?.includes('New referral'));
    expect(alerted.map((m) => m.parsed.subject?.match(/SL-[A-Z0-9-]+/)?.[0]).sort()).toEqual([...references].sort());
  });
});
