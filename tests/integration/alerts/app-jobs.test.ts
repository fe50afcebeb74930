import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { fixedClock } from '../../../server/clock.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { startSmtpServer } from '../mail/smtp-test-server.ts';

type Clock = ReturnType<typeof fixedClock>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const body = (fixture: string, overrides: Record<string, unknown> = {}) => ({
  ...(JSON.parse(readFileSync(join(projectRoot, 'tests/fixtures/referrals', fixture), 'utf8')) as Record<
    string,
    unknown
  >),
  email: undefined,
  emailSafe: undefined,
  ...overrides,
});

async function submit(t: TestApp, clock: Clock, answers: Record<string, unknown>): Promise<string> {
  const token = await t.app.inject({ method: 'GET', url: '/api/referrals/form-token' });
  clock.advance(10_000);
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/referrals',
    headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ...answers, formToken: token.json<{ formToken: string }>().formToken }),
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json<{ reference: string }>().reference;
}

describe('the background jobs inside the app', () => {
  it('escalates an uncontacted Today referral to managers through the scheduler and the worker, and stops once he is reached', async () => {
    const server = await startSmtpServer();
    cleanups.push(() => server.close());
    const clock = fixedClock('2026-12-03T09:00:00Z');
    const t = await buildTestApp({
      clock,
      env: { SMTP_URL: server.url },
      deps: { alerts: { startAlertScheduler: false } },
    });
    cleanups.push(() => t.cleanup());
    const reference = await submit(t, clock, body('plan-and-not-safe.json'));
    await server.waitFor(2); // the alert, and the capacity warning (nobody rostered)

    // The first run of the day also queues each office's digest (it is past 08:30 on a working day).
    const at = (time: string) => {
      clock.set(time);
      return t.app.alertScheduler.runOnce();
    };
    expect(at('2026-12-03T12:59:00Z')).toMatchObject({ escalations: 0, digests: 2 });
    expect(at('2026-12-03T13:01:00Z')).toMatchObject({ escalations: 1, digests: 0 });
    expect(at('2026-12-03T13:02:00Z')).toMatchObject({ escalations: 0, digests: 0 });
    const mail = await server.waitFor(5);
    const digest = mail.find((m) => m.parsed.subject?.startsWith('[Daily digest] Leeds office'));
    expect(digest?.parsed.text).toContain(reference);
    const escalation = mail.find((m) => m.parsed.subject?.startsWith('[Half its time used]'));
    expect(escalation!.envelopeTo).toEqual(['managers-leeds@example.org']);
    expect(escalation!.parsed.subject).toBe(
      `[Half its time used] Referral ${reference}: contact by Thu 3 Dec 2026, 17:00`,
    );

    // He is reached: the back office moves the referral out of "needs contact", and nothing more is sent.
    t.database.db.update(referrals).set({ status: 'in_contact' }).where(eq(referrals.reference, reference)).run();
    expect(at('2026-12-03T17:30:00Z')).toMatchObject({ escalations: 0, digests: 0 });
  });

  it('writes .eml files under DATA_DIR/mail when no SMTP server is configured', async () => {
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const t = await buildTestApp({ clock, deps: { alerts: { startAlertScheduler: false } } });
    cleanups.push(() => t.cleanup());
    const reference = await submit(t, clock, body('no-urgent-answers.json'));
    await t.app.mailWorker.runOnce(clock.now());
    const mailDir = join(t.dir, 'mail');
    expect(existsSync(mailDir)).toBe(true);
    const subjects = await Promise.all(
      readdirSync(mailDir).map(async (name) => (await simpleParser(readFileSync(join(mailDir, name)))).subject),
    );
    expect(subjects).toContain(`[Within 7 days] New referral ${reference}: contact by Thu 10 Dec 2026, 17:00`);
    expect(
      t.database.db
        .select()
        .from(outboxMessages)
        .all()
        .every((m) => m.status === 'sent'),
    ).toBe(true);
  });

  it('seeds the offices on first start, once', async () => {
    const t = await buildTestApp({ deps: { alerts: { startAlertScheduler: false, startMailWorker: false } } });
    cleanups.push(() => t.cleanup());
    await t.app.ready();
    expect(t.logs.filter((line) => line.includes('offices seeded from config'))).toHaveLength(1);
    const hours = t.database.sqlite.prepare('SELECT office_id FROM office_hours ORDER BY office_id').all();
    expect(hours).toEqual([{ office_id: 'leeds' }, { office_id: 'manchester' }]);
  });

  it('re-queues failed mail for admins and sends it at once', async () => {
    const server = await startSmtpServer();
    const port = server.port;
    await server.close();
    const clock = fixedClock('2026-12-03T10:00:00Z');
    const t = await buildTestApp({
      clock,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
      deps: { alerts: { startAlertScheduler: false } },
    });
    cleanups.push(() => t.cleanup());
    await submit(t, clock, body('no-urgent-answers.json'));
    // Let the retry window run out.
    let now = clock.now();
    for (let i = 0; i < 60 && t.app.services.mail.listFailed().length < 2; i++) {
      await t.app.mailWorker.runOnce(now);
      now = new Date(now.getTime() + 3_600_000);
    }
    const failed = t.app.services.mail.listFailed();
    expect(failed.map((m) => m.kind).sort()).toEqual(['capacity_short', 'referral_alert']);
    expect(t.app.services.mail.health()).toMatchObject({ failed: 2, pending: 0 });

    const back = await startSmtpServer(port);
    cleanups.push(() => back.close());
    const alert = failed.find((m) => m.kind === 'referral_alert')!;
    expect(t.app.services.mail.retryFailed(alert.id)).toBe(true);
    const [received] = await back.waitFor(1);
    expect(received!.parsed.subject).toBe(alert.subject);
    await t.app.mailWorker.runOnce(); // runs after the send in progress has been recorded
    expect(t.app.services.mail.attempts(alert.id).filter((a) => a.outcome === 'sent')).toHaveLength(1);
    expect(t.app.services.mail.listFailed().map((m) => m.kind)).toEqual(['capacity_short']);
  });
});
