import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import {
  auditChainKeyFor,
  auditEntryHash,
  auditEntryMac,
  GENESIS_HASH,
  recordAudit,
  recordAuditHead,
  useAuditChainKey,
  verifyAuditChain,
} from '../../../server/audit/audit.ts';
import { generateDataKey, parseDataKeys } from '../../../server/security/field-encryption.ts';

const keyring = parseDataKeys(generateDataKey());
const chainKey = auditChainKeyFor(keyring);
const now = new Date('2026-03-10T10:00:00Z');

type Row = {
  seq: number;
  at: number;
  actor_id: string | null;
  action: string;
  referral_id: string | null;
  office_id: string | null;
  target_staff_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
};

function fieldsOf(row: Row, prevHash: string) {
  return {
    seq: row.seq,
    at: row.at,
    actorId: row.actor_id,
    action: row.action,
    referralId: row.referral_id,
    officeId: row.office_id,
    targetStaffId: row.target_staff_id,
    detail: row.detail,
    prevHash,
  };
}

/** What someone with write access to a copy of the file, but not DATA_KEY, would do: edit and recompute. */
function rewriteChain(
  path: string,
  hash: (fields: ReturnType<typeof fieldsOf>) => string,
  edit: (db: Database.Database) => void,
) {
  const db = new Database(path);
  db.exec('DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;');
  edit(db);
  const rows = db.prepare('SELECT * FROM audit_events ORDER BY seq').all() as Row[];
  let prev = GENESIS_HASH;
  const update = db.prepare('UPDATE audit_events SET prev_hash = ?, hash = ? WHERE seq = ?');
  db.prepare("UPDATE audit_events SET hash = hash || 'x'").run(); // free the unique hashes first
  for (const row of rows) {
    const h = hash(fieldsOf(row, prev));
    update.run(prev, h, row.seq);
    prev = h;
  }
  db.close();
}

describe('the keyed audit chain', () => {
  let dir: string;
  let database: OpenedDatabase;
  let n = 0;
  const copyPath = async () => {
    const path = join(dir, `copy-${++n}.db`);
    await database.sqlite.backup(path);
    return path;
  };
  const verifyCopy = (path: string, externalHeads = [] as Array<{ source: string; seq: number; hash: string }>) => {
    const opened = openDatabase(path);
    try {
      return verifyAuditChain(opened.db, { chainKey, externalHeads });
    } finally {
      opened.sqlite.close();
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-keyed-audit-'));
    database = openDatabase(join(dir, 'audit.db'));
    await migrateDatabase(database.sqlite);
    // Two entries from before the chain was keyed (plain SHA-256), as on an upgraded database.
    let prev = GENESIS_HASH;
    for (let seq = 1; seq <= 2; seq++) {
      const fields = {
        seq,
        at: now.getTime() + seq,
        actorId: null,
        action: 'sign_in',
        referralId: null,
        officeId: null,
        targetStaffId: null,
        detail: '{}',
        prevHash: prev,
      };
      const hash = auditEntryHash(fields);
      database.sqlite
        .prepare(
          'INSERT INTO audit_events (seq, at, actor_id, action, referral_id, office_id, target_staff_id, detail, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?)',
        )
        .run(seq, fields.at, null, 'sign_in', null, null, null, '{}', prev, hash);
      prev = hash;
    }
    useAuditChainKey(database.sqlite, keyring, now);
    for (let i = 0; i < 6; i++) {
      recordAudit(
        database.db,
        { actorId: null, action: 'referral_viewed', referralId: `r${i}`, detail: { n: i } },
        now,
      );
    }
    recordAuditHead(database.db, 'daily', now); // head at entry 8
    recordAudit(database.db, { actorId: null, action: 'referral_viewed', referralId: 'r9' }, now); // entry 9
  });
  afterAll(() => {
    if (database.sqlite.open) database.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('verifies old unkeyed entries and new keyed ones', () => {
    expect(verifyAuditChain(database.db)).toMatchObject({ ok: true, entries: 9, head: { seq: 9 } });
    const row = database.sqlite.prepare('SELECT * FROM audit_events WHERE seq = 3').get() as Row;
    expect(row.hash).toBe(auditEntryMac(chainKey.key, fieldsOf(row, row.prev_hash)));
    expect(row.hash).not.toBe(auditEntryHash(fieldsOf(row, row.prev_hash)));
  });

  it('fails when entries are edited and the chain recomputed without the key (plain SHA-256)', async () => {
    const path = await copyPath();
    rewriteChain(path, auditEntryHash, (db) =>
      db.prepare('UPDATE audit_events SET detail = \'{"n":99}\' WHERE seq = 5').run(),
    );
    const check = verifyCopy(path);
    expect(check).toMatchObject({ ok: false, brokenAtSeq: 3 });
    if (!check.ok) expect(check.problem).toMatch(/Entry 3 does not match its keyed hash/);
  });

  it('fails when the chain is recomputed with another key', async () => {
    const path = await copyPath();
    const otherKey = auditChainKeyFor(parseDataKeys(generateDataKey())).key;
    rewriteChain(
      path,
      (f) => (f.seq <= 2 ? auditEntryHash(f) : auditEntryMac(otherKey, f)),
      (db) => db.prepare('DELETE FROM audit_events WHERE seq = 6').run(),
    );
    expect(verifyCopy(path)).toMatchObject({ ok: false, brokenAtSeq: 3 });
  });

  it('says where a removed entry was', async () => {
    const path = await copyPath();
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_events_no_delete;');
    db.prepare('DELETE FROM audit_events WHERE seq = 4').run();
    db.close();
    const check = verifyCopy(path);
    expect(check).toMatchObject({ ok: false, brokenAtSeq: 4 });
    if (!check.ok) expect(check.problem).toBe('Entry 4 is missing: the trail jumps from entry 3 to entry 5.');
  });

  it('detects the newest entries cut off, against the head the daily run recorded', async () => {
    const path = await copyPath();
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_events_no_delete;');
    db.prepare('DELETE FROM audit_events WHERE seq >= 7').run();
    db.close();
    const check = verifyCopy(path);
    expect(check).toMatchObject({ ok: false, entries: 6, brokenAtSeq: 7 });
    if (!check.ok)
      expect(check.problem).toMatch(/ends at entry 6, but the daily check recorded entry 8 .*7 to 8 were removed/);
  });

  it('detects truncation against a backup manifest head even when the recorded heads are gone too', async () => {
    const path = await copyPath();
    const head = verifyAuditChain(database.db);
    if (!head.ok) throw new Error('chain should verify');
    const db = new Database(path);
    db.exec('DROP TRIGGER audit_events_no_delete; DROP TRIGGER audit_heads_no_delete;');
    db.prepare('DELETE FROM audit_events WHERE seq = 9').run();
    db.prepare("DELETE FROM audit_heads WHERE source = 'daily'").run();
    db.close();
    expect(verifyCopy(path).ok).toBe(true); // nothing inside the file shows it any more...
    const check = verifyCopy(path, [{ source: 'the backup of today', ...head.head }]);
    expect(check).toMatchObject({ ok: false, brokenAtSeq: 9 }); // ...but the manifest does
  });

  it('refuses a forged recorded head', async () => {
    const path = await copyPath();
    const db = new Database(path);
    db.prepare(
      "INSERT INTO audit_heads (source, seq, hash, recorded_at, mac) VALUES ('keyed_from', 9, 'x', 1, 'y')",
    ).run();
    db.close();
    const check = verifyCopy(path);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toMatch(/fails its keyed check/);
  });

  it('cannot pass off a rewritten chain as "from before the key" by moving the keyed_from head', async () => {
    const path = await copyPath();
    rewriteChain(path, auditEntryHash, (db) => {
      db.exec('DROP TRIGGER audit_heads_no_delete; DROP TRIGGER audit_heads_no_update;');
      db.prepare("UPDATE audit_heads SET seq = 99 WHERE source = 'keyed_from'").run();
    });
    expect(verifyCopy(path).ok).toBe(false);
  });
});
