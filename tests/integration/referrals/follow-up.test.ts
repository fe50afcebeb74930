import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { buildApp } from '../../../server/app.ts';
import { createTurnQueue } from '../../../server/http/turns.ts';
import {
  createFollowUpProcessor,
  FOLLOW_UP_MAX_WAIT_MS,
  runDueFollowUps,
} from '../../../server/referrals/follow-up.ts';
import type { SubmissionOutcome } from '../../../server/referrals/service.ts';
import { buildTestApp, logCollector, type TestApp } from '../../helpers/app.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';

let t: TestApp | undefined;
afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** What a referral's follow-up leaves in the database, per referral: one number per table. */
function followUpRows(app: TestApp['app'], referralId: string) {
  const count = (sql: string) => (app.services.db.$client.prepare(sql).pluck().get(referralId) as number) ?? 0;
  return {
    due: count('SELECT COUNT(*) FROM referrals WHERE id = ? AND follow_up_due_at IS NOT NULL'),
    staffAlert: count("SELECT COUNT(*) FROM outbox_messages WHERE dedupe_key = 'referral:' || ? || ':new'"),
    acknowledgement: count(
      "SELECT COUNT(*) FROM outbox_messages WHERE kind = 'referral_acknowledgement' AND dedupe_key LIKE '%' || ? || '%'",
    ),
    slot: count('SELECT COUNT(*) FROM first_contact_slots WHERE referral_id = ?'),
    nameParts: count('SELECT COUNT(*) FROM referral_name_parts WHERE referral_id = ?'),
    contactHashes: count('SELECT COUNT(*) FROM contact_match_hashes WHERE referral_id = ?'),
  };
}

const DONE = { due: 0, staffAlert: 1, acknowledgement: 1, slot: 1, nameParts: 2, contactHashes: 2 };

/** `count` referrals sent at the same moment through the one submit path, as a burst of posts would be. */
function burst(app: TestApp['app'], count: number, tokens: string[] = []): Promise<SubmissionOutcome[]> {
  const shownAt = new Date(app.services.clock.now().getTime() - 60_000);
  return Promise.all(
    Array.from({ length: count }, (_, index) =>
      app.services.referrals.submit(
        {
          answers: validAnswers(),
          formToken: (tokens[index] ??= app.services.referrals.issueFormToken(shownAt)),
          honeypot: '',
        },
        app.services.clock.now(),
      ),
    ),
  );
}

function ids(outcomes: SubmissionOutcome[]): string[] {
  return outcomes.map((outcome) => {
    if (outcome.kind !== 'created') throw new Error(`expected created, got ${outcome.kind}`);
    return outcome.receipt.referralId;
  });
}

async function until(condition: () => boolean, ms = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > ms) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('referral follow-ups', () => {
  it('a referral sent alone is written with its whole follow-up in one transaction', async () => {
    t = await buildTestApp();
    await t.app.ready();
    const [id] = ids(await burst(t.app, 1));
    expect(followUpRows(t.app, id!)).toEqual(DONE);
  });

  it('referrals sent in a burst are answered at once and their follow-ups done moments later, with nothing missing', async () => {
    t = await buildTestApp();
    await t.app.ready();
    await t.app.services.referrals.followUps.stop(); // hold the background processor to look in between
    const tokens: string[] = [];
    const outcomes = await burst(t.app, 6, tokens);
    const burstIds = ids(outcomes);
    // Answered with the same promise as ever: his acknowledgement is on its way.
    for (const outcome of outcomes)
      expect(outcome.kind === 'created' && outcome.receipt.acknowledgementQueued).toBe(true);
    for (const id of burstIds) {
      expect(followUpRows(t.app, id)).toEqual({
        due: 1,
        staffAlert: 0,
        acknowledgement: 0,
        slot: 0,
        nameParts: 0,
        contactHashes: 0,
      });
    }
    // The same form sent again before the follow-up ran still tells him his acknowledgement is queued.
    const again = await t.app.services.referrals.submit(
      { answers: validAnswers(), formToken: tokens[0], honeypot: '' },
      t.app.services.clock.now(),
    );
    expect(again).toMatchObject({
      kind: 'duplicate',
      receipt: { referralId: burstIds[0], acknowledgementQueued: true },
    });
    expect(await t.app.services.referrals.followUps.drain()).toBe(6);
    for (const id of burstIds) expect(followUpRows(t.app, id)).toEqual(DONE);
  });

  it('commits a batch of follow-ups without an fsync of its own (nobody waits for one), then back to FULL', async () => {
    t = await buildTestApp();
    await t.app.ready();
    const { services } = t.app;
    await services.referrals.followUps.stop();
    const burstIds = ids(await burst(t.app, 3));
    const synchronous = () => services.db.$client.pragma('synchronous', { simple: true });
    const seen: unknown[] = [];
    const original = services.alerts.onReferralStored;
    services.alerts.onReferralStored = (tx, referral, now) => {
      seen.push(synchronous());
      original(tx, referral, now);
    };
    expect(await services.referrals.followUps.drain()).toBe(3);
    expect(seen).toEqual([1, 1, 1]); // NORMAL inside the batch
    expect(synchronous()).toBe(2); // FULL again for everything else
    for (const id of burstIds) expect(followUpRows(t.app, id)).toEqual(DONE);
  });

  it('the background processor does them by itself once the burst is over', async () => {
    t = await buildTestApp();
    await t.app.ready();
    const burstIds = ids(await burst(t.app, 5));
    await until(() => burstIds.every((id) => followUpRows(t!.app, id).due === 0));
    for (const id of burstIds) expect(followUpRows(t.app, id)).toEqual(DONE);
  });

  it('follow-ups left due by a crash are done at the next start', async () => {
    t = await buildTestApp();
    await t.app.ready();
    await t.app.services.referrals.followUps.stop();
    const burstIds = ids(await burst(t.app, 4));
    // "Crash": the process ends with the follow-ups still due (nothing runs them on the way down).
    await t.app.close();

    const database = openDatabase(t.config.databasePath);
    const { stream } = logCollector();
    const restarted = await buildApp(t.config, { database, logStream: stream });
    try {
      await restarted.ready();
      const view = { services: restarted.services } as TestApp['app'];
      await until(() => burstIds.every((id) => followUpRows(view, id).due === 0));
      for (const id of burstIds) expect(followUpRows(view, id)).toEqual(DONE);
    } finally {
      await restarted.close();
    }
    t.app = { close: async () => {} } as TestApp['app'];
  });

  it('a follow-up that fails stays due and is done later; the others in its batch are not held back', async () => {
    t = await buildTestApp();
    await t.app.ready();
    const { services } = t.app;
    await services.referrals.followUps.stop();
    const burstIds = ids(await burst(t.app, 3));
    const victim = burstIds[1]!;
    const failing = runDueFollowUps(
      {
        db: services.db,
        keyring: services.keyring,
        calendarFor: services.alerts.calendarFor,
        onReferralStored: (tx, referral, now) => {
          if (referral.id === victim) throw new Error('disk full');
          services.alerts.onReferralStored(tx, referral, now);
        },
      },
      services.clock.now(),
      20,
    );
    expect(failing).toEqual({ done: 2, failed: [victim], more: false });
    // Its savepoint was rolled back whole: not half a follow-up.
    expect(followUpRows(t.app, victim)).toMatchObject({ due: 1, nameParts: 0, acknowledgement: 0 });
    for (const id of burstIds.filter((id) => id !== victim)) expect(followUpRows(t.app, id).due).toBe(0);

    expect(await services.referrals.followUps.drain()).toBe(1);
    expect(followUpRows(t.app, victim)).toMatchObject({ due: 0, staffAlert: 1, acknowledgement: 1, slot: 1 });
  });

  it('gives way to arriving referrals, but runs a batch at least once a second however long they keep coming', async () => {
    t = await buildTestApp();
    await t.app.ready();
    const { services } = t.app;
    await services.referrals.followUps.stop();
    const burstIds = ids(await burst(t.app, 3));

    const processor = createFollowUpProcessor({
      db: services.db,
      keyring: services.keyring,
      calendarFor: services.alerts.calendarFor,
      onReferralStored: services.alerts.onReferralStored,
      turn: createTurnQueue(),
      busy: () => true, // a flood that never ends
      now: () => services.clock.now(),
    });
    const started = Date.now();
    processor.start();
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(followUpRows(t.app, burstIds[0]!).due).toBe(1);
      // The first turn of work comes once the wait is up (a turn does 5 ms of follow-ups at most)...
      await until(() => burstIds.some((id) => followUpRows(t!.app, id).due === 0), 5_000);
      const waited = Date.now() - started;
      expect(waited).toBeGreaterThanOrEqual(FOLLOW_UP_MAX_WAIT_MS - 100);
      expect(waited).toBeLessThan(FOLLOW_UP_MAX_WAIT_MS + 1_500);
      // ...and turns keep coming while the flood lasts, until none is left.
      await until(() => burstIds.every((id) => followUpRows(t!.app, id).due === 0), 10_000);
    } finally {
      await processor.stop();
    }
  });
});
