import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, readFileSync, statSync, utimesSync, writeFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { apiToken, postJson, referralApp, type ReferralApp } from '../referrals/http.ts';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import {
  BackupError,
  createBackup,
  listBackups,
  pruneBackups,
  readBackupHeader,
  restoreBackup,
} from '../../../server/backup/backup.ts';
import { openDatabase } from '../../../db/client.ts';
import { loadReferralAnswers } from '../../../server/referrals/store.ts';
import { generateDataKey, parseDataKeys } from '../../../server/security/field-encryption.ts';
import { auditChainKeyFor, recordAudit, verifyAuditChain } from '../../../server/audit/audit.ts';

describe('encrypted backups that restore', () => {
  let t: ReferralApp;
  beforeAll(async () => {
    t = await referralApp();
    for (let i = 0; i < 3; i++) {
      recordAudit(t.database.db, { actorId: null, action: 'sign_in_failed', detail: { n: i } }, t.clock.now());
    }
  });
  afterAll(async () => t.cleanup());

  it('a backup taken while referrals are being written holds every referral answered 201 before it began', async () => {
    const answeredBefore: string[] = [];
    let backupStarted = false;
    let stop = false;
    const submit = async (): Promise<void> => {
      const formToken = await apiToken(t);
      const res = await postJson(t, { ...validAnswers(), formToken });
      expect(res.statusCode).toBe(201);
      const { reference } = res.json() as { reference: string };
      if (!backupStarted) answeredBefore.push(reference);
    };
    // Some referrals first, then writers that keep going while the backup runs.
    for (let i = 0; i < 15; i++) await submit();
    const writers = Array.from({ length: 3 }, async () => {
      while (!stop) await submit();
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    backupStarted = true;
    const countAtStart = answeredBefore.length;
    const backup = await createBackup(t.database.sqlite, {
      dir: t.config.backupDir,
      kind: 'manual',
      keyring: t.app.services.keyring,
      now: t.clock.now(),
    });
    stop = true;
    await Promise.all(writers);
    expect(answeredBefore.length).toBe(countAtStart);
    expect(countAtStart).toBeGreaterThanOrEqual(15);
    // The writers kept writing while the backup ran.
    const live = t.database.sqlite.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number };
    expect(live.n).toBeGreaterThan(countAtStart);

    // The file is private and says nothing in clear.
    expect(statSync(backup.path).mode & 0o777).toBe(0o600);
    expect(statSync(t.config.backupDir).mode & 0o777).toBe(0o700);
    const bytes = readFileSync(backup.path);
    expect(bytes.includes(Buffer.from('SQLite format 3'))).toBe(false);
    expect(bytes.includes(Buffer.from(answeredBefore[0]!))).toBe(false);
    const header = readBackupHeader(backup.path);
    expect(header.keyId).toBe(t.app.services.keyring.derivationKeyId);
    expect(header.manifest.counts.referrals).toBeGreaterThanOrEqual(countAtStart);
    expect(header.manifest.schema.migrations).toBeGreaterThan(10);
    expect(header.manifest.auditHead.seq).toBeGreaterThanOrEqual(3);

    const to = join(t.dir, 'restored.db');
    const result = restoreBackup(backup.path, to, t.app.services.keyring, { liveDatabasePath: t.config.databasePath });
    expect(result.checks.filter((c) => !c.ok)).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual([
      'integrity_check',
      'foreign_key_check',
      'encrypted values',
      'audit chain',
      'row counts',
    ]);
    const restored = openDatabase(to);
    try {
      for (const reference of answeredBefore) {
        const row = restored.sqlite.prepare('SELECT id FROM referrals WHERE reference = ?').get(reference) as
          { id: string } | undefined;
        expect(row, reference).toBeDefined();
        const loaded = loadReferralAnswers(restored.db, t.app.services.keyring, row!.id);
        expect(loaded?.answers.name).toBe(validAnswers().name);
      }
    } finally {
      restored.sqlite.close();
    }
  });

  it('never restores over an existing file or the live database', async () => {
    const [latest] = listBackups(t.config.backupDir);
    expect(() => restoreBackup(latest!.path, t.config.databasePath, t.app.services.keyring)).toThrow(BackupError);
    expect(() =>
      restoreBackup(latest!.path, join(t.dir, 'restored.db'), t.app.services.keyring, {
        liveDatabasePath: t.config.databasePath,
      }),
    ).toThrow(/already exists/);
  });

  it('refuses a backup that was changed, or a different DATA_KEY', async () => {
    const [latest] = listBackups(t.config.backupDir);
    const bytes = readFileSync(latest!.path);
    const at = bytes.length - 100;
    bytes[at] = bytes[at]! ^ 1;
    const damaged = join(t.dir, 'damaged.slbak');
    writeFileSync(damaged, bytes);
    expect(() => restoreBackup(damaged, join(t.dir, 'r2.db'), t.app.services.keyring)).toThrow(
      /could not be decrypted/,
    );
    expect(() => restoreBackup(latest!.path, join(t.dir, 'r3.db'), parseDataKeys(generateDataKey()))).toThrow(
      /could not be decrypted/,
    );
    expect(existsSync(join(t.dir, 'r2.db'))).toBe(false);
  });

  it('fails verification when the audit trail in the backup was cut short of the manifest head', async () => {
    // A database whose newest audit entry is removed before the backup is made: the manifest head is taken from
    // the live trail, so we build the mismatch by hand: back up, then compare with a later, longer head.
    const dir = join(t.dir, 'cut');
    const backup = await createBackup(t.database.sqlite, {
      dir,
      kind: 'manual',
      keyring: t.app.services.keyring,
      now: t.clock.now(),
    });
    const to = join(t.dir, 'cut.db');
    const ok = restoreBackup(backup.path, to, t.app.services.keyring);
    expect(ok.ok).toBe(true);
    const copy = new Database(to);
    copy.exec('DROP TRIGGER audit_events_no_delete;');
    copy.prepare('DELETE FROM audit_events WHERE seq = (SELECT MAX(seq) FROM audit_events)').run();
    copy.close();
    const cut = openDatabase(to);
    const check = verifyAuditChain(cut.db, {
      chainKey: auditChainKeyFor(t.app.services.keyring),
      externalHeads: [{ source: 'the backup manifest', ...ok.manifest.auditHead }],
    });
    cut.sqlite.close();
    expect(check.ok).toBe(false);
  });

  it('keeps the newest daily and weekly backups and prunes the rest', () => {
    const dir = join(t.dir, 'prune');
    // Fake files: 40 days of daily backups, two a day.
    const names: string[] = [];
    for (let day = 0; day < 40; day++) {
      for (const hour of ['02', '14']) {
        const date = new Date(Date.UTC(2026, 10, 30 - day, Number(hour)));
        names.push(`daily-${date.toISOString().replace(/[:.]/g, '-')}.slbak`);
      }
    }
    names.push('migration-2026-11-01T00-00-00-000Z.slbak', 'migration-2026-11-02T00-00-00-000Z.slbak');
    mkdirSync(dir, { recursive: true });
    for (const name of names) writeFileSync(join(dir, name), 'x');
    writeFileSync(join(dir, 'before-migration-2026-01-01.db'), 'plain');
    utimesSync(join(dir, 'before-migration-2026-01-01.db'), new Date(0), new Date(0));
    const result = pruneBackups(dir, { keepDaily: 7, keepWeekly: 4 });
    const left = readdirSync(dir).sort();
    const daily = left.filter((name) => name.startsWith('daily-'));
    // 7 newest days (the later of each day) plus older weekly ones up to 4 weeks in all.
    expect(daily.slice(-7).every((name) => name.includes('T14-'))).toBe(true);
    expect(daily.length).toBeGreaterThanOrEqual(7);
    expect(daily.length).toBeLessThanOrEqual(11);
    expect(left.filter((name) => name.startsWith('migration-'))).toHaveLength(2);
    expect(left).not.toContain('before-migration-2026-01-01.db');
    expect(result.removed.length).toBe(names.length + 1 - left.length);
  });
});
