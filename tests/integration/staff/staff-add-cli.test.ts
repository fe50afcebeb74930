import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../../db/client.ts';
import { staffOffices, staffUsers } from '../../../db/schema/staff.ts';
import { findEnrolment } from '../../../server/auth/enrolment.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { testEnv } from '../../helpers/app.ts';

describe('npm run staff:add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'portal-staff-add-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = { ...process.env, ...testEnv(dir, { PUBLIC_BASE_URL: 'https://portal.example' }) };
  const run = (...args: string[]) =>
    spawnSync(
      process.execPath,
      [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), join(projectRoot, 'scripts/staff-add.ts'), ...args],
      {
        cwd: projectRoot,
        env,
        encoding: 'utf8',
      },
    );

  it('creates an invited user and prints a one-time enrolment link valid for 24 hours', () => {
    const started = Date.now();
    const result = run(
      '--email',
      'Jo@SaferLives.example',
      '--name',
      'Jo Bloggs',
      '--role',
      'caseworker',
      '--office',
      'leeds',
    );
    expect(result.status, result.stderr).toBe(0);
    const link = /https:\/\/portal\.example\/staff\/enrol\?token=([A-Za-z0-9_-]+)/.exec(result.stdout);
    expect(link).not.toBeNull();
    const { sqlite, db } = openDatabase(join(dir, 'portal.db'));
    try {
      const user = db.select().from(staffUsers).where(eq(staffUsers.email, 'jo@saferlives.example')).get()!;
      expect(user).toMatchObject({ name: 'Jo Bloggs', role: 'caseworker', status: 'invited', passwordHash: null });
      expect(
        db
          .select()
          .from(staffOffices)
          .where(eq(staffOffices.staffId, user.id))
          .all()
          .map((row) => row.officeId),
      ).toEqual(['leeds']);
      const enrolling = findEnrolment(db, link![1], new Date())!;
      expect(enrolling.id).toBe(user.id);
      const ttl = enrolling.expiresAt.getTime() - started;
      expect(ttl).toBeGreaterThan(23.9 * 3_600_000);
      expect(ttl).toBeLessThanOrEqual(24 * 3_600_000 + 60_000);
      expect(findEnrolment(db, link![1], new Date(started + 24 * 3_600_000 + 120_000))).toBeNull();
    } finally {
      sqlite.close();
    }
  });

  it('says exactly what is wrong and exits non-zero', () => {
    const result = run('--email', 'nobody', '--name', 'X', '--role', 'boss', '--office', 'york');
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('--email: Enter an email address');
    expect(result.stderr).toContain('--role: Choose a role');
    expect(result.stderr).toContain('--office: There is no office called york');
    const duplicate = run(
      '--email',
      'jo@saferlives.example',
      '--name',
      'Jo Again',
      '--role',
      'manager',
      '--office',
      'leeds',
    );
    expect(duplicate.status).toBe(1);
    expect(duplicate.stderr).toContain('already has an account');
  });
});
