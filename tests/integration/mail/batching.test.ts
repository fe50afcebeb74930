import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { fixedClock } from '../../../server/clock.ts';
import { enqueueEmail } from '../../../server/mail/outbox.ts';
import { createSmtpMailer, type Mailer } from '../../../server/mail/transport.ts';
import { createOutboxWorker, FIRST_RETRY_DELAY_MS } from '../../../server/mail/worker.ts';
import { testKeyring } from '../alerts/support.ts';
import { startSmtpServer } from './smtp-test-server.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('claims a batch in one transaction, marks each sent at once, records failures together, keeps the Message-ID', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-batch-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const database = openDatabase(join(dir, 'portal.db'));
  cleanups.push(() => {
    database.sqlite.close();
  });
  await migrateDatabase(database.sqlite);
  const keyring = testKeyring();
  const T0 = new Date('2026-12-01T10:00:00Z');
  const ids = [1, 2, 3, 4, 5].map((n) =>
    enqueueEmail(
      database.db,
      keyring,
      { kind: 'referral_alert', to: ['triage@example.org'], subject: `Alert ${n}`, text: `Body ${n}` },
      T0,
    )!,
  );

  const server = await startSmtpServer();
  cleanups.push(() => server.close());
  const smtp = createSmtpMailer(server.url);
  // The real SMTP server, except that two messages fail the first time they are tried.
  const failOnce = new Set(['Alert 2', 'Alert 4']);
  const mailer: Mailer = {
    description: 'flaky',
    async send(mail) {
      if (failOnce.delete(mail.subject)) throw Object.assign(new Error('421 try later'), { responseCode: 421 });
      return smtp.send(mail);
    },
    close: () => smtp.close(),
  };
  const clock = fixedClock(T0);
  const worker = createOutboxWorker({
    db: database.db,
    keyring,
    mailer,
    clock,
    from: 'alerts@example.org',
    messageIdHost: 'portal.example.org',
  });
  cleanups.push(() => worker.stop());

  const transactions = vi.spyOn(database.db, 'transaction');
  expect(await worker.runOnce(T0)).toEqual({ sent: 3, retrying: 2, failed: 0 });
  // One to claim all five, one per message sent (a crash repeats at most the one in flight), one for both failures.
  expect(transactions).toHaveBeenCalledTimes(1 + 3 + 1);
  const rows = database.db.select().from(outboxMessages).all();
  expect(rows.filter((row) => row.status === 'sent')).toHaveLength(3);
  const retrying = rows.filter((row) => row.status === 'pending');
  expect(retrying.map((row) => row.subject).sort()).toEqual(['Alert 2', 'Alert 4']);
  for (const row of retrying) {
    expect(row.attempts).toBe(1);
    expect(row.nextAttemptAt.getTime()).toBe(T0.getTime() + FIRST_RETRY_DELAY_MS);
  }

  // The retries go out with the same Message-ID as the first try would have had, and nothing is sent twice.
  const later = new Date(T0.getTime() + FIRST_RETRY_DELAY_MS);
  clock.set(later);
  expect(await worker.runOnce(later)).toEqual({ sent: 2, retrying: 0, failed: 0 });
  expect(server.received.map((m) => m.parsed.messageId).sort()).toEqual(
    ids.map((id) => `<${id}@portal.example.org>`).sort(),
  );
  expect(await worker.runOnce(new Date(later.getTime() + 24 * 3_600_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });
});
