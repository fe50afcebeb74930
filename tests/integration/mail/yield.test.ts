import { afterEach, expect, it } from 'vitest';
import { systemClock } from '../../../server/clock.ts';
import { enqueueEmail } from '../../../server/mail/outbox.ts';
import type { Mailer } from '../../../server/mail/transport.ts';
import { createOutboxWorker, MAX_YIELD_MS } from '../../../server/mail/worker.ts';
import { migratedMemoryDb, testKeyring } from '../alerts/support.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(busy: () => boolean) {
  const database = await migratedMemoryDb();
  cleanups.push(() => {
    database.sqlite.close();
  });
  const keyring = testKeyring();
  const sentAt: number[] = [];
  const mailer: Mailer = {
    description: 'recording',
    async send() {
      sentAt.push(Date.now());
      return { rejectedCount: 0 };
    },
    close() {},
  };
  const worker = createOutboxWorker({
    db: database.db,
    keyring,
    mailer,
    clock: systemClock,
    from: 'alerts@example.org',
    messageIdHost: 'portal.example.org',
    busy,
  });
  cleanups.push(() => worker.stop());
  enqueueEmail(
    database.db,
    keyring,
    { kind: 'referral_alert', to: ['triage@example.org'], subject: 'New referral', text: 'Body' },
    new Date(),
  );
  return { worker, sentAt };
}

it('while referrals keep arriving, mail waits, but never more than MAX_YIELD_MS', async () => {
  const { worker, sentAt } = await setup(() => true);
  const started = Date.now();
  worker.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(sentAt).toEqual([]);
  await new Promise((resolve) => setTimeout(resolve, MAX_YIELD_MS + 700));
  expect(sentAt).toHaveLength(1);
  expect(sentAt[0]! - started).toBeGreaterThanOrEqual(MAX_YIELD_MS - 100);
});

it('when nothing else is arriving, mail goes at once', async () => {
  const { worker, sentAt } = await setup(() => false);
  const started = Date.now();
  worker.start();
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(sentAt).toHaveLength(1);
  expect(sentAt[0]! - started).toBeLessThan(300);
});
