import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { systemClock } from '../../../server/clock.ts';
import { enqueueEmail } from '../../../server/mail/outbox.ts';
import { createSmtpMailer } from '../../../server/mail/transport.ts';
import { CLAIM_MS, createOutboxWorker } from '../../../server/mail/worker.ts';
import { parseDataKeys } from '../../../server/security/field-encryption.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { startSmtpServer } from './smtp-test-server.ts';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('a worker killed in the middle of a send loses nothing and repeats nothing after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const dbPath = join(dir, 'portal.db');
  const database = openDatabase(dbPath);
  cleanups.push(() => {
    database.sqlite.close();
  });
  await migrateDatabase(database.sqlite);
  const dataKey = randomBytes(32).toString('base64');
  const keyring = parseDataKeys(dataKey);
  const queuedAt = new Date();
  const ids = [1, 2, 3, 4].map((n) =>
    enqueueEmail(
      database.db,
      keyring,
      { kind: 'referral_alert', to: ['triage@example.org'], subject: `Alert ${n}`, text: `Body ${n}` },
      queuedAt,
    )!,
  );

  // The mail server takes the first message, then never answers the second.
  const server = await startSmtpServer();
  cleanups.push(() => server.close());
  server.holdAfter = 1;
  const held = server.waitForHeld(20_000);

  const child = spawn(process.execPath, ['--import', 'tsx', 'tests/integration/mail/worker-process.ts'], {
    cwd: projectRoot,
    env: { ...process.env, PORTAL_DB: dbPath, PORTAL_DATA_KEY: dataKey, PORTAL_SMTP_URL: server.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  await held;
  child.kill('SIGKILL'); // a crash: no shutdown, no chance to record anything
  expect(await exited).toBe('SIGKILL');
  expect(server.received.map((m) => m.parsed.subject)).toEqual(['Alert 1']);

  const statuses = database.db
    .select({ id: outboxMessages.id, status: outboxMessages.status })
    .from(outboxMessages)
    .all();
  expect(statuses.filter((s) => s.status === 'sent').map((s) => s.id)).toEqual([ids[0]]);

  // Restart: the crashed worker had claimed its whole batch in one transaction, so the message in flight and the
  // two it had not reached yet are taken up again once that claim has run out. The sent one is never repeated.
  server.holdAfter = null;
  const restarted = createOutboxWorker({
    db: database.db,
    keyring,
    mailer: createSmtpMailer(server.url),
    clock: systemClock,
    from: 'alerts@example.org',
    messageIdHost: 'portal.example.org',
  });
  cleanups.push(() => restarted.stop());
  expect((await restarted.runOnce(new Date())).sent).toBe(0);
  expect((await restarted.runOnce(new Date(Date.now() + CLAIM_MS + 1000))).sent).toBe(3);
  expect((await restarted.runOnce(new Date(Date.now() + 24 * 3_600_000))).sent).toBe(0);

  expect(server.received.map((m) => m.parsed.messageId).sort()).toEqual(
    ids.map((id) => `<${id}@portal.example.org>`).sort(),
  );
  expect(server.received.map((m) => m.parsed.subject).sort()).toEqual(['Alert 1', 'Alert 2', 'Alert 3', 'Alert 4']);
  expect(
    database.db
      .select({ status: outboxMessages.status })
      .from(outboxMessages)
      .all()
      .every((row) => row.status === 'sent'),
  ).toBe(true);
}, 40_000);
