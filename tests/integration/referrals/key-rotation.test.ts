import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { eq } from 'drizzle-orm';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { decryptField, encryptField, parseDataKeys, type Keyring } from '../../../server/security/field-encryption.ts';
import { totpSecretAad } from '../../../server/auth/sign-in.ts';
import { bodyAad } from '../../../server/mail/outbox.ts';
import {
  notRotated,
  RotationIntegrityError,
  rotatableColumns,
  rotateEncryptionKeys,
} from '../../../server/referrals/key-rotation.ts';
import { loadReferralAnswers } from '../../../server/referrals/store.ts';
import { submitReferral } from '../../../server/referrals/service.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { TUESDAY_MORNING, validAnswers } from '../../unit/referrals/fixtures.ts';
import { serviceHarness, type ServiceHarness } from './db.ts';

let h: ServiceHarness;
afterEach(() => h?.cleanup());

function storeTwo(): void {
  const shown = new Date(TUESDAY_MORNING);
  for (const name of ['Rota One', 'Rota Two']) {
    const outcome = submitReferral(
      h.deps,
      { answers: validAnswers({ name }), formToken: h.formTokens.issue(shown), honeypot: '' },
      new Date(shown.getTime() + 60_000),
    );
    if (outcome.kind !== 'created') throw new Error(outcome.kind);
  }
}

function keyIds(): string[] {
  const rows = h.database.db.select().from(referrals).all();
  const mail = h.database.db.select().from(outboxMessages).all();
  return [
    ...rows.flatMap((row) => [row.answersEnc, row.triageEnc]),
    ...mail.flatMap((row) => [row.recipientsEnc, row.bodyEnc]),
  ].map((token) => token.split('.')[1]!);
}

function rotatedKeyring(): { value: string; keyring: Keyring } {
  const value = `k2:${randomBytes(32).toString('base64')},${h.dataKey}`;
  return { value, keyring: parseDataKeys(value) };
}

describe('key rotation', () => {
  it('re-encrypts every referral and outbox value under the current key, and is idempotent', async () => {
    h = await serviceHarness();
    storeTwo();
    expect(new Set(keyIds())).toEqual(new Set(['k1']));
    const { keyring } = rotatedKeyring();

    const first = rotateEncryptionKeys(h.database.sqlite, keyring);
    expect(first.currentKeyId).toBe('k2');
    expect(first.columns.filter((column) => column.checked > 0)).toEqual([
      { table: 'referrals', column: 'answers_enc', checked: 2, rotated: 2 },
      { table: 'referrals', column: 'triage_enc', checked: 2, rotated: 2 },
      { table: 'outbox_messages', column: 'recipients_enc', checked: 2, rotated: 2 },
      { table: 'outbox_messages', column: 'body_enc', checked: 2, rotated: 2 },
    ]);
    expect(new Set(keyIds())).toEqual(new Set(['k2']));

    const second = rotateEncryptionKeys(h.database.sqlite, keyring);
    expect(second.columns.every((column) => column.rotated === 0)).toBe(true);
    expect(second.columns.filter((column) => column.checked === 2)).toHaveLength(4);
    expect(second.nameHashesUpdated).toBe(0);

    // Everything still reads back, with only the new key.
    const onlyNew = parseDataKeys(`k2:${keyring.keys.get('k2')!.toString('base64')}`, { derivationKeyId: 'k2' });
    const row = h.database.db.select().from(referrals).get()!;
    expect(loadReferralAnswers(h.database.db, onlyNew, row.id)?.answers.name).toMatch(/^Rota /);
    const mail = h.database.db.select().from(outboxMessages).get()!;
    expect(decryptField(onlyNew, mail.bodyEnc, bodyAad(mail.id))).toContain('reference');
  });

  it('covers every encrypted column in the schema (staff TOTP secrets and case notes too)', async () => {
    h = await serviceHarness();
    const tables = h.database.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{
      name: string;
    }>;
    const encrypted = tables.flatMap(({ name }) =>
      (h.database.sqlite.prepare(`PRAGMA table_info(${name})`).all() as Array<{ name: string }>)
        .filter((column) => column.name.endsWith('_enc'))
        .map((column) => `${name}.${column.name}`),
    );
    const covered = [...rotatableColumns.map((spec) => `${spec.table}.${spec.column}`), ...Object.keys(notRotated)];
    expect(encrypted.length).toBeGreaterThanOrEqual(4);
    expect(encrypted.filter((column) => !covered.includes(column))).toEqual([]);
  });

  it('re-encrypts a staff TOTP secret with its own AAD', async () => {
    h = await serviceHarness();
    const staffId = 'staff-1';
    const secret = encryptField(h.keyring, 'JBSWY3DPEHPK3PXP', totpSecretAad(staffId));
    h.database.sqlite
      .prepare(
        "INSERT INTO staff_users (id, email, name, role, status, created_at, totp_secret_enc) VALUES (?, 'a@example.org', 'A', 'admin', 'active', 0, ?)",
      )
      .run(staffId, secret);
    const { keyring } = rotatedKeyring();
    const report = rotateEncryptionKeys(h.database.sqlite, keyring);
    expect(report.columns.find((column) => column.table === 'staff_users')).toMatchObject({ checked: 1, rotated: 1 });
    const stored = h.database.sqlite.prepare('SELECT totp_secret_enc AS value FROM staff_users').get() as {
      value: string;
    };
    expect(stored.value.split('.')[1]).toBe('k2');
    expect(decryptField(keyring, stored.value, totpSecretAad(staffId))).toBe('JBSWY3DPEHPK3PXP');
  });

  it('rewrites name search hashes under the current key, once', async () => {
    h = await serviceHarness();
    storeTwo();
    const { keyring } = rotatedKeyring();
    expect(rotateEncryptionKeys(h.database.sqlite, keyring).nameHashesUpdated).toBe(2);
    expect(rotateEncryptionKeys(h.database.sqlite, keyring).nameHashesUpdated).toBe(0);
  });

  it('stops without changing anything when a value fails its integrity check', async () => {
    h = await serviceHarness();
    storeTwo();
    const [, second] = h.database.db.select().from(referrals).all();
    const broken = second!.triageEnc.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    h.database.db.update(referrals).set({ triageEnc: broken }).where(eq(referrals.id, second!.id)).run();
    const { keyring } = rotatedKeyring();
    expect(() => rotateEncryptionKeys(h.database.sqlite, keyring)).toThrow(RotationIntegrityError);
    expect(new Set(keyIds())).toEqual(new Set(['k1']));
  });

  it('runs as npm run keys:rotate, printing counts, and again with nothing to do', async () => {
    h = await serviceHarness();
    storeTwo();
    const { value } = rotatedKeyring();
    h.database.sqlite.close();
    const env = {
      ...process.env,
      NODE_ENV: 'test',
      DATA_DIR: h.dir,
      DATABASE_PATH: join(h.dir, 'portal.db'),
      DATA_KEY: value,
      SESSION_SECRET: randomBytes(32).toString('hex'),
    };
    const run = () =>
      spawnSync(
        process.execPath,
        [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), join(projectRoot, 'scripts/keys-rotate.ts')],
        {
          env,
          encoding: 'utf8',
          cwd: h.dir,
        },
      );
    const first = run();
    expect(first.stderr).toBe('');
    expect(first.status).toBe(0);
    expect(first.stdout).toContain('Current key: k2');
    expect(first.stdout).toContain('referrals.answers_enc: 2 checked, 2 re-encrypted');
    expect(first.stdout).toContain('outbox_messages.body_enc: 2 checked, 2 re-encrypted');
    const second = run();
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('referrals.answers_enc: 2 checked, 0 re-encrypted');
    // Two processes started through tsx: allow for a busy machine.
  }, 60_000);
});
