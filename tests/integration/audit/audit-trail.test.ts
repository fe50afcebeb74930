import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import {
  auditChainKeyFor,
  listAuditEvents,
  recordAudit,
  useAuditChainKey,
  verifyAuditChain,
} from '../../../server/audit/audit.ts';
import { generateDataKey, parseDataKeys } from '../../../server/security/field-encryption.ts';

const keyring = parseDataKeys(generateDataKey());
/** Opens a copy and gives it the same chain key (without recording anything in it). */
function openCopy(path: string) {
  return openDatabase(path);
}

describe('the audit trail', () => {
  let dir: string;
  let database: OpenedDatabase;
  const now = new Date('2026-03-10T10:00:00Z');

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-audit-'));
    database = openDatabase(join(dir, 'audit.db'));
    await migrateDatabase(database.sqlite);
    useAuditChainKey(database.sqlite, keyring, now);
    for (let i = 0; i < 5; i++) {
      recordAudit(
        database.db,
        {
          actorId: null,
          action: 'referral_viewed',
          referralId: `r${i}`,
          officeId: i % 2 ? 'leeds' : 'manchester',
          detail: { n: i },
        },
        new Date(now.getTime() + i * 1000),
      );
    }
  });
  afterAll(() => {
    if (database.sqlite.open) database.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('links every entry to the one before it', () => {
    expect(verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 5 });
    const rows = database.sqlite.prepare('SELECT seq, prev_hash, hash FROM audit_events ORDER BY seq').all() as Array<{
      seq: number;
      prev_hash: string;
      hash: string;
    }>;
    expect(rows[0]!.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
  });

  it('refuses UPDATE and DELETE in the database itself', () => {
    expect(() => database.sqlite.prepare("UPDATE audit_events SET action = 'sign_in' WHERE seq = 2").run()).toThrow(
      /append-only/,
    );
    expect(() => database.sqlite.prepare('DELETE FROM audit_events WHERE seq = 2').run()).toThrow(/append-only/);
    expect(verifyAuditChain(database.db).ok).toBe(true);
  });

  it('shows tampering done around the triggers (an edited copy of the file)', async () => {
    const copy = join(dir, 'tampered.db');
    await database.sqlite.backup(copy);
    const edited = new Database(copy);
    edited.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
    edited.prepare('UPDATE audit_events SET detail = \'{"n":99}\' WHERE seq = 3').run();
    edited.close();
    const opened = openCopy(copy);
    expect(verifyAuditChain(opened.db, { chainKey: auditChainKeyFor(keyring) })).toMatchObject({
      ok: false,
      entries: 2,
      brokenAtSeq: 3,
    });
    opened.sqlite.close();

    const copy2 = join(dir, 'deleted.db');
    await database.sqlite.backup(copy2);
    const cut = new Database(copy2);
    cut.exec('DROP TRIGGER audit_events_no_delete;');
    cut.prepare('DELETE FROM audit_events WHERE seq = 2').run();
    cut.close();
    const opened2 = openCopy(copy2);
    expect(verifyAuditChain(opened2.db, { chainKey: auditChainKeyFor(keyring) })).toMatchObject({
      ok: false,
      brokenAtSeq: 2,
    });
    opened2.sqlite.close();
  });

  it('gives managers only the entries of their offices, newest first, page by page', () => {
    const leeds = listAuditEvents(database.db, { scope: { kind: 'offices', officeIds: ['leeds'] } });
    expect(leeds.rows.map((r) => r.referralId)).toEqual(['r3', 'r1']);
    const all = listAuditEvents(database.db, { scope: { kind: 'all' }, limit: 2 });
    expect(all.rows.map((r) => r.seq)).toEqual([5, 4]);
    const next = listAuditEvents(database.db, { scope: { kind: 'all' }, limit: 2, beforeSeq: all.nextBeforeSeq! });
    expect(next.rows.map((r) => r.seq)).toEqual([3, 2]);
    expect(listAuditEvents(database.db, { scope: { kind: 'offices', officeIds: [] } }).rows).toEqual([]);
  });
});
