import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { eq } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { fixedClock } from '../../../server/clock.ts';
import { listFailedMail, listMailAttempts, outboxHealth, retryFailedMail } from '../../../server/mail/admin.ts';
import { enqueueEmail, RETRY_WINDOW_MS } from '../../../server/mail/outbox.ts';
import { createFileMailer, createSmtpMailer, type Mailer } from '../../../server/mail/transport.ts';
import {
  CLAIM_MS,
  createOutboxWorker,
  describeSendError,
  retryDelayMs,
  type OutboxWorker,
} from '../../../server/mail/worker.ts';
import type { Keyring } from '../../../server/security/field-encryption.ts';
import { testKeyring } from '../alerts/support.ts';
import { startSmtpServer, type TestSmtpServer } from './smtp-test-server.ts';

const T0 = new Date('2026-12-07T10:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

let dir: string;
let database: OpenedDatabase;
let keyring: Keyring;
const cleanups: Array<() => Promise<void> | void> = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'outbox-test-'));
  database = openDatabase(join(dir, 'portal.db'));
  await migrateDatabase(database.sqlite);
  keyring = testKeyring();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  database.sqlite.close();
  rmSync(dir, { recursive: true, force: true });
});

function queue(n: number, now = T0, extra: { to?: string[]; dedupeKey?: string } = {}): string[] {
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const id = enqueueEmail(
      database.db,
      keyring,
      {
        kind: 'referral_alert',
        to: extra.to ?? ['triage@example.org'],
        subject: `Alert ${i + 1}`,
        text: `Body ${i + 1}`,
        ...(extra.dedupeKey ? { dedupeKey: extra.dedupeKey } : {}),
      },
      now,
    );
    if (id) ids.push(id);
  }
  return ids;
}

function worker(mailer: Mailer, db = database): OutboxWorker {
  const w = createOutboxWorker({
    db: db.db,
    keyring,
    mailer,
    clock: fixedClock(T0),
    from: 'Safer Lives <alerts@example.org>',
    messageIdHost: 'portal.example.org',
  });
  cleanups.push(() => w.stop());
  return w;
}

async function smtp(port = 0): Promise<TestSmtpServer> {
  const server = await startSmtpServer(port);
  cleanups.push(() => server.close());
  return server;
}

const statusOf = (id: string) => database.db.select().from(outboxMessages).where(eq(outboxMessages.id, id)).get();

describe('outbox worker over real SMTP', () => {
  it('sends queued mail with a stable Message-ID and records the attempt', async () => {
    const server = await smtp();
    const [id] = queue(1, T0, { to: ['triage@example.org', 'duty@example.org'] });
    const summary = await worker(createSmtpMailer(server.url)).runOnce(T0);

    expect(summary).toEqual({ sent: 1, retrying: 0, failed: 0 });
    expect(server.received).toHaveLength(1);
    const mail = server.received[0]!;
    expect(mail.parsed.messageId).toBe(`<${id}@portal.example.org>`);
    expect(mail.parsed.subject).toBe('Alert 1');
    expect(mail.parsed.text?.trim()).toBe('Body 1');
    expect(mail.parsed.from?.text).toBe('"Safer Lives" <alerts@example.org>');
    expect(mail.envelopeTo.sort()).toEqual(['duty@example.org', 'triage@example.org']);
    expect(mail.parsed.date?.toISOString()).toBe(T0.toISOString());
    expect(statusOf(id!)).toMatchObject({ status: 'sent', attempts: 1, sentAt: T0, lastError: null });
    expect(listMailAttempts(database.db, id!)).toEqual([{ attemptedAt: T0, outcome: 'sent', error: null }]);
  });

  it('sends nothing that is not yet due, and nothing twice', async () => {
    const server = await smtp();
    queue(2);
    const w = worker(createSmtpMailer(server.url));
    expect(await w.runOnce(at(-1))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect((await w.runOnce(T0)).sent).toBe(2);
    expect((await w.runOnce(at(MINUTE))).sent).toBe(0);
    expect(server.received).toHaveLength(2);
  });

  it('backs off while the SMTP server is down, then delivers each message exactly once when it is back', async () => {
    const server = await smtp();
    const port = server.port;
    await server.close(); // connection refused from now on
    const ids = queue(3);
    const w = worker(createSmtpMailer(`smtp://127.0.0.1:${port}`));

    expect(await w.runOnce(T0)).toEqual({ sent: 0, retrying: 3, failed: 0 });
    const first = statusOf(ids[0]!)!;
    expect(first).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(30_000) });
    expect(first.lastError).toMatch(/ECONNREFUSED/);
    // Not due again before the backoff is over.
    expect(await w.runOnce(at(29_000))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(await w.runOnce(at(30_000))).toEqual({ sent: 0, retrying: 3, failed: 0 });
    expect(statusOf(ids[0]!)).toMatchObject({ attempts: 2, nextAttemptAt: at(30_000 + 60_000) });

    const back = await smtp(port);
    expect(await w.runOnce(at(90_000))).toEqual({ sent: 3, retrying: 0, failed: 0 });
    expect(await w.runOnce(at(60 * MINUTE))).toEqual({ sent: 0, retrying: 0, failed: 0 });
    expect(back.received.map((m) => m.parsed.messageId).sort()).toEqual(
      ids.map((id) => `<${id}@portal.example.org>`).sort(),
    );
    expect(listMailAttempts(database.db, ids[0]!).map((a) => a.outcome)).toEqual(['failed', 'failed', 'sent']);
  });

  it('retries a temporary SMTP rejection, keeping the error for admins', async () => {
    const server = await smtp();
    server.failWith = 'Mailbox busy, try later';
    const [id] = queue(1);
    const w = worker(createSmtpMailer(server.url));
    expect((await w.runOnce(T0)).retrying).toBe(1);
    expect(statusOf(id!)?.lastError).toMatch(/451/);
    server.failWith = null;
    expect((await w.runOnce(at(30_000))).sent).toBe(1);
    expect(server.received).toHaveLength(1);
  });

  it('keeps retrying for 24 hours, then fails the message and shows it to admins; a retry sends it', async () => {
    const server = await smtp();
    const port = server.port;
    await server.close();
    const [id] = queue(1);
    const w = worker(createSmtpMailer(`smtp://127.0.0.1:${port}`));

    let now = T0;
    let attempts = 0;
    for (;;) {
      const summary = await w.runOnce(now);
      attempts += summary.retrying + summary.failed;
      if (summary.failed > 0) break;
      now = statusOf(id!)!.nextAttemptAt;
    }
    // 30 s doubling to an hour apart, the last one exactly at the 24-hour mark.
    expect(now).toEqual(at(RETRY_WINDOW_MS));
    expect(attempts).toBe(statusOf(id!)!.attempts);
    expect(attempts).toBeGreaterThan(20);
    expect(attempts).toBeLessThan(40);
    expect(statusOf(id!)?.status).toBe('failed');
    const failed = listFailedMail(database.db);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ id, kind: 'referral_alert', subject: 'Alert 1', attempts, lastAttemptAt: now });
    expect(failed[0]!.lastError).toMatch(/ECONNREFUSED/);
    expect(outboxHealth(database.db, now)).toMatchObject({ pending: 0, failed: 1 });

    const back = await smtp(port);
    const later = at(RETRY_WINDOW_MS + 3_600_000);
    expect(retryFailedMail(database.db, id!, later)).toBe(true);
    expect(retryFailedMail(database.db, id!, later)).toBe(false); // no longer failed
    expect(statusOf(id!)).toMatchObject({ status: 'pending', giveUpAt: new Date(later.getTime() + RETRY_WINDOW_MS) });
    expect((await w.runOnce(later)).sent).toBe(1);
    expect(back.received).toHaveLength(1);
    expect(back.received[0]!.parsed.messageId).toBe(`<${id}@portal.example.org>`);
    expect(listFailedMail(database.db)).toEqual([]);
  });

  it('fails a message it cannot decrypt at once, without sending anything', async () => {
    const server = await smtp();
    const [id] = queue(1);
    const w = createOutboxWorker({
      db: database.db,
      keyring: testKeyring(), // a different key: as if DATA_KEY lost the key the message was written with
      mailer: createSmtpMailer(server.url),
      clock: fixedClock(T0),
      from: 'alerts@example.org',
      messageIdHost: 'portal.example.org',
    });
    cleanups.push(() => w.stop());
    expect(await w.runOnce(T0)).toEqual({ sent: 0, retrying: 0, failed: 1 });
    expect(statusOf(id!)?.lastError).toMatch(/^cannot read the message/);
    expect(server.received).toHaveLength(0);
  });

  it('never lets two workers on one database send the same message', async () => {
    const server = await smtp();
    const ids = queue(6);
    const second = openDatabase(join(dir, 'portal.db'));
    cleanups.push(() => {
      second.sqlite.close();
    });
    const a = worker(createSmtpMailer(server.url));
    const b = worker(createSmtpMailer(server.url), second);
    const [ra, rb] = await Promise.all([a.runOnce(T0), b.runOnce(T0)]);
    expect(ra.sent + rb.sent).toBe(6);
    expect(server.received.map((m) => m.parsed.messageId).sort()).toEqual(
      ids.map((id) => `<${id}@portal.example.org>`).sort(),
    );
  });

  it('finishes and records a send in progress when stopped, and leaves the rest for the next start', async () => {
    const server = await smtp();
    const ids = queue(3);
    const w = createOutboxWorker({
      db: database.db,
      keyring,
      mailer: createSmtpMailer(server.url),
      clock: fixedClock(T0),
      from: 'alerts@example.org',
      messageIdHost: 'portal.example.org',
    });
    server.holdData = true;
    const held = server.waitForHeld();
    const run = w.runOnce(T0);
    await held;
    const stopped = w.stop();
    server.holdData = false;
    // Release the held message: the server never answered it, so nodemailer times out or the test
    // closes the connection; either way the attempt is recorded and nothing else is sent.
    await server.close();
    await stopped;
    // stop() resolved only after the attempt in flight was recorded; the other two were never started.
    const statuses = ids.map((id) => statusOf(id)!);
    expect(statuses.filter((s) => s.attempts === 1)).toHaveLength(1);
    expect(statuses.filter((s) => s.attempts === 0)).toHaveLength(2);
    expect((await run).retrying).toBe(1);

    const back = await smtp(server.port);
    const next = worker(createSmtpMailer(back.url));
    expect((await next.runOnce(at(CLAIM_MS))).sent).toBe(3);
    expect(back.received).toHaveLength(3);
  });
});

describe('file transport (no SMTP_URL)', () => {
  it('writes one .eml per message, and a repeat overwrites it rather than adding a copy', async () => {
    const mailDir = join(dir, 'mail');
    const [id] = queue(1);
    const mailer = createFileMailer(mailDir);
    const mail = {
      outboxId: id!,
      messageId: `<${id}@x>`,
      from: 'a@example.org',
      to: ['b@example.org'],
      subject: 'S',
      text: 'T',
      date: T0,
    };
    await mailer.send(mail);
    await mailer.send(mail);
    const files = readdirSync(mailDir);
    expect(files).toEqual([`2026-12-07T10-00-00-000Z-${id}.eml`]);
    const parsed = await simpleParser(readFileSync(join(mailDir, files[0]!)));
    expect(parsed.messageId).toBe(`<${id}@x>`);
    expect(parsed.subject).toBe('S');
  });

  it('is what the worker uses to deliver, marking the message sent', async () => {
    const mailDir = join(dir, 'mail');
    const [id] = queue(1);
    expect((await worker(createFileMailer(mailDir)).runOnce(T0)).sent).toBe(1);
    expect(existsSync(join(mailDir, `2026-12-07T10-00-00-000Z-${id}.eml`))).toBe(true);
    expect(statusOf(id!)?.status).toBe('sent');
  });
});

describe('retry schedule and error text', () => {
  it.each([
    [1, 30_000],
    [2, 60_000],
    [3, 120_000],
    [7, 30_000 * 64],
    [8, 3_600_000],
    [30, 3_600_000],
  ])('waits after failure %i: %i ms', (failures, delay) => {
    expect(retryDelayMs(failures)).toBe(delay);
  });

  it('removes email addresses from errors before they are stored or logged', () => {
    const error = Object.assign(
      new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <him@private.example>: Recipient unknown"),
      {
        code: 'EENVELOPE',
        responseCode: 550,
      },
    );
    const text = describeSendError(error);
    expect(text).toBe(
      "EENVELOPE 550: Can't send mail - all recipients were rejected: 550 5.1.1 <[address]>: Recipient unknown",
    );
    expect(text).not.toContain('him@private.example');
  });

  it('keeps stored errors short', () => {
    expect(describeSendError(new Error('x'.repeat(1000))).length).toBe(300);
  });
});
