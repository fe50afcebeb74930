import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { openDatabase, type OpenedDatabase } from '../../../db/client.ts';
import { migrateDatabase } from '../../../db/migrate.ts';
import { parseDataKeys } from '../../../server/security/field-encryption.ts';
import { recordAudit, useAuditChainKey } from '../../../server/audit/audit.ts';
import { createLifecycleJobs } from '../../../server/retention/jobs.ts';
import { listBackups } from '../../../server/backup/backup.ts';
import { fixedClock } from '../../../server/clock.ts';

const run = promisify(execFile);

describe('the daily lifecycle jobs and the npm scripts', () => {
  let dir: string;
  let database: OpenedDatabase;
  const dataKey = randomBytes(32).toString('base64');
  const keyring = parseDataKeys(dataKey);
  const env = () => ({
    ...process.env,
    NODE_ENV: 'test',
    DATA_DIR: dir,
    DATA_KEY: dataKey,
    SESSION_SECRET: randomBytes(32).toString('base64url'),
  });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'portal-jobs-'));
    database = openDatabase(join(dir, 'portal.db'));
    await migrateDatabase(database.sqlite);
    useAuditChainKey(database.sqlite, keyring);
    recordAudit(database.db, { actorId: null, action: 'sign_in_failed' }, new Date());
  });
  afterAll(() => {
    if (database.sqlite.open) database.sqlite.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs retention and a backup once a day after their times, logs the audit head, and prunes', async () => {
    const lines: Array<{ obj: object; msg: string }> = [];
    const clock = fixedClock('2026-12-01T01:00:00Z');
    const jobs = createLifecycleJobs({
      db: database.db,
      keyring,
      clock,
      config: {
        mailDir: join(dir, 'mail'),
        backupDir: join(dir, 'backups'),
        backupTime: '02:30',
        backupKeepDaily: 2,
        backupKeepWeekly: 1,
        retentionTime: '03:00',
      },
      log: { info: (obj, msg) => lines.push({ obj, msg }), error: (obj, msg) => lines.push({ obj, msg }) },
    });
    expect(await jobs.runDue(clock.now())).toEqual({ retention: null, backup: null });
    clock.set('2026-12-01T02:45:00Z');
    const early = await jobs.runDue(clock.now());
    expect(early.retention).toBeNull();
    expect(early.backup).not.toBeNull();
    clock.set('2026-12-01T03:05:00Z');
    expect((await jobs.runDue(clock.now())).retention).not.toBeNull();
    expect(await jobs.runDue(clock.now())).toEqual({ retention: null, backup: null });
    const daily = lines.find((line) => line.msg === 'daily retention run and audit chain head');
    expect(daily?.obj).toMatchObject({
      auditHead: { seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    for (let day = 2; day <= 5; day++) {
      clock.set(`2026-12-0${day}T04:00:00Z`);
      const result = await jobs.runDue(clock.now());
      expect(result.backup).not.toBeNull();
      expect(result.retention).not.toBeNull();
    }
    // Keep 2 daily (5th, 4th) and 1 weekly (newest of this ISO week is the 5th): 2 left.
    const left = listBackups(join(dir, 'backups'));
    expect(left.map((file) => file.takenAt.toISOString().slice(0, 10))).toEqual(['2026-12-05', '2026-12-04']);
    expect(statSync(left[0]!.path).mode & 0o777).toBe(0o600);
    const heads = database.sqlite
      .prepare('SELECT source, COUNT(*) AS n FROM audit_heads GROUP BY source ORDER BY source')
      .all();
    expect(heads).toEqual([
      { source: 'backup', n: 5 },
      { source: 'daily', n: 5 },
      { source: 'keyed_from', n: 1 },
    ]);
  });

  it('npm run retention -- --dry-run, backup and restore work from the command line', async () => {
    const tsx = join(process.cwd(), 'node_modules/.bin/tsx');
    const dry = await run(tsx, ['scripts/retention.ts', '--dry-run'], { env: env() });
    expect(dry.stdout).toContain('Dry run: nothing was changed.');
    expect(dry.stdout).toMatch(/Would delete referrals: 0/);

    const backup = await run(tsx, ['scripts/backup.ts'], { env: env() });
    const file = /Backup: (.+\.slbak)/.exec(backup.stdout)![1]!;
    expect(backup.stdout).toContain(`Key id: ${keyring.derivationKeyId}`);

    const to = join(dir, 'restored.db');
    const restored = await run(tsx, ['scripts/restore.ts', file, '--to', to], { env: env() });
    expect(restored.stdout).toContain('Restored and verified');
    expect(restored.stdout).toMatch(/OK {3}audit chain/);
    await expect(run(tsx, ['scripts/restore.ts', file, '--to', to], { env: env() })).rejects.toMatchObject({
      stderr: expect.stringContaining('already exists'),
    });
  }, 240_000);
});
