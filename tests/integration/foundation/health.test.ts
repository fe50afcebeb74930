import { afterEach, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { FOLLOW_UP_STUCK_SECONDS } from '../../../server/services.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';

const NOW = new Date('2026-12-02T10:00:00Z');
let t: TestApp | undefined;

afterEach(async () => {
  await t?.cleanup();
  t = undefined;
});

/** The worker is off, so rows stay exactly as written. */
async function app(): Promise<TestApp> {
  t = await buildTestApp({
    clock: fixedClock(NOW),
    deps: { alerts: { startMailWorker: false, startAlertScheduler: false } },
  });
  await t.app.ready();
  return t;
}

function queue(t: TestApp, status: 'pending' | 'sent' | 'failed', createdAt: Date): void {
  t.database.db
    .insert(outboxMessages)
    .values({
      id: randomUUID(),
      kind: 'test',
      recipientsEnc: 'x',
      subject: 'Test',
      bodyEnc: 'x',
      status,
      nextAttemptAt: createdAt,
      giveUpAt: new Date(createdAt.getTime() + 86_400_000),
      createdAt,
    })
    .run();
}

describe('GET /healthz', () => {
  it('reports the database and an empty mail queue as ok', async () => {
    const t = await app();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({
      status: 'ok',
      database: 'ok',
      mail: { transport: 'files', pending: 0, oldestPendingAgeSeconds: null, overdue: 0, failed: 0 },
      referralFollowUps: { due: 0, oldestDueAgeSeconds: null },
    });
  });

  it('reports the mail backlog (oldest pending age) and failed mail as degraded, still 200', async () => {
    const t = await app();
    queue(t, 'pending', new Date(NOW.getTime() - 60_000));
    let res = await t.app.inject({ method: 'GET', url: '/healthz' });
    // A message a minute old is normal: the worker sends within seconds to minutes.
    expect(res.json()).toMatchObject({ status: 'ok', mail: { pending: 1, oldestPendingAgeSeconds: 60, overdue: 0 } });

    queue(t, 'pending', new Date(NOW.getTime() - 2 * 3600_000));
    queue(t, 'failed', new Date(NOW.getTime() - 86_400_000));
    queue(t, 'sent', new Date(NOW.getTime() - 86_400_000));
    res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      status: 'degraded',
      database: 'ok',
      mail: { transport: 'files', pending: 2, oldestPendingAgeSeconds: 7200, overdue: 1, failed: 1 },
      referralFollowUps: { due: 0, oldestDueAgeSeconds: null },
    });
  });

  it('reports referral follow-ups still due, and degraded once one has waited over five minutes', async () => {
    const t = await app();
    const mark = (referralIds: string[], at: Date) => {
      for (const id of referralIds)
        t.database.sqlite.prepare('UPDATE referrals SET follow_up_due_at = ? WHERE id = ?').run(at.getTime(), id);
    };
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const outcome = await t.app.services.referrals.submit(
        {
          answers: validAnswers(),
          formToken: t.app.services.referrals.issueFormToken(new Date(NOW.getTime() - 60_000)),
          honeypot: '',
        },
        NOW,
      );
      if (outcome.kind === 'created') ids.push(outcome.receipt.referralId);
    }
    mark(ids, new Date(NOW.getTime() - 30_000));
    let res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.json()).toMatchObject({ status: 'ok', referralFollowUps: { due: 2, oldestDueAgeSeconds: 30 } });
    mark([ids[0]!], new Date(NOW.getTime() - (FOLLOW_UP_STUCK_SECONDS + 1) * 1000));
    res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      status: 'degraded',
      referralFollowUps: { due: 2, oldestDueAgeSeconds: FOLLOW_UP_STUCK_SECONDS + 1 },
    });
  });

  it('answers 503 when the database is down, without mail figures it cannot read', async () => {
    const t = await app();
    t.database.sqlite.close();
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'unavailable', database: 'unavailable', mail: null, referralFollowUps: null });
  });
});
