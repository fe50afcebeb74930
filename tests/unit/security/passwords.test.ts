import { randomBytes, scryptSync } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isCommonPassword, loadCommonPasswords } from '../../../server/security/common-passwords.ts';
import {
  CURRENT_SCRYPT_PARAMETERS,
  PasswordHashFormatError,
  activeScryptParameters,
  checkPasswordPolicy,
  dummyVerify,
  hashPassword,
  parsePasswordHash,
  useCheaperScryptForTests,
  verifyPassword,
} from '../../../server/security/passwords.ts';
import { projectRoot } from '../../../server/paths.ts';

// This file is about hashing itself: the production cost, not the cheaper one other test files use.
beforeAll(() => useCheaperScryptForTests(null));

const password = 'kettle orbit marigold 7';

describe('hashPassword / verifyPassword', () => {
  it('hashes in the self-describing scrypt format and verifies only the right password', async () => {
    const stored = await hashPassword(password);
    expect(stored).toMatch(/^scrypt\$17\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
    const parsed = parsePasswordHash(stored);
    expect(parsed.salt).toHaveLength(16);
    expect(parsed.hash).toHaveLength(64);

    expect(await verifyPassword(stored, password)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword(stored, 'kettle orbit marigold 8')).toEqual({ ok: false, needsRehash: false });
    // Unicode-equivalent input (precomposed vs combining accent) is the same password.
    const accented = await hashPassword('café crème brûlée!');
    expect((await verifyPassword(accented, 'cafe\u0301 cre\u0300me bru\u0302le\u0301e!')).ok).toBe(true);
    expect(await hashPassword(password)).not.toBe(stored);
  }, 30_000);

  it('asks for a rehash when the stored parameters are weaker than current, but only after a correct password', async () => {
    const salt = randomBytes(16);
    const weak = `scrypt$14$8$1$${salt.toString('base64')}$${scryptSync(password, salt, 64, { N: 2 ** 14, r: 8, p: 1 }).toString('base64')}`;
    expect(await verifyPassword(weak, password)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword(weak, 'wrong password!')).toEqual({ ok: false, needsRehash: false });

    const shortHash = `scrypt$14$8$1$${salt.toString('base64')}$${scryptSync(password, salt, 32, { N: 2 ** 14, r: 8, p: 1 }).toString('base64')}`;
    expect(await verifyPassword(shortHash, password)).toEqual({ ok: true, needsRehash: true });
  });

  it('rejects stored values it cannot parse, including absurd cost parameters', async () => {
    const salt = randomBytes(16).toString('base64');
    const hash = randomBytes(64).toString('base64');
    for (const stored of [
      '',
      'plaintext-password',
      `bcrypt$17$8$1$${salt}$${hash}`,
      `scrypt$17$8$1$${salt}`,
      `scrypt$17$8$1$${salt}$${hash}$extra`,
      `scrypt$x$8$1$${salt}$${hash}`,
      `scrypt$0$8$1$${salt}$${hash}`,
      `scrypt$30$8$1$${salt}$${hash}`,
      `scrypt$17$999$1$${salt}$${hash}`,
      `scrypt$17$8$1$${salt}$not-base64!`,
      `scrypt$17$8$1$$${hash}`,
    ]) {
      await expect(verifyPassword(stored, password)).rejects.toBeInstanceOf(PasswordHashFormatError);
    }
  });

  it('dummyVerify always fails and costs about as much as a real verification', async () => {
    const stored = await hashPassword(password);
    const realStart = performance.now();
    await verifyPassword(stored, password);
    const real = performance.now() - realStart;
    const dummyStart = performance.now();
    expect(await dummyVerify(password)).toEqual({ ok: false, needsRehash: false });
    const dummy = performance.now() - dummyStart;
    expect(dummy).toBeGreaterThan(real * 0.25); // loose bounds: CI machines are noisy; skipping scrypt would be ~1000x faster
    expect(dummy).toBeLessThan(real * 4);
  }, 30_000);
});

describe("the test suites' cheaper scrypt cost", () => {
  const nodeEnv = process.env.NODE_ENV;
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
    useCheaperScryptForTests(null);
  });

  it('is the OWASP cost (N=2^17, r=8, p=1) unless a test suite lowers it', () => {
    expect(CURRENT_SCRYPT_PARAMETERS).toEqual({ log2N: 17, r: 8, p: 1 });
    expect(activeScryptParameters()).toEqual(CURRENT_SCRYPT_PARAMETERS);
  });

  it('makes cheaper hashes that still verify, and puts the production cost back with null', async () => {
    useCheaperScryptForTests({ log2N: 10, r: 8, p: 1 });
    const cheap = await hashPassword(password);
    expect(cheap).toMatch(/^scrypt\$10\$8\$1\$/);
    expect(await verifyPassword(cheap, password)).toEqual({ ok: true, needsRehash: false });
    useCheaperScryptForTests(null);
    // Back at the production cost, the cheap hash is weaker: the next sign-in would upgrade it.
    expect(await verifyPassword(cheap, password)).toEqual({ ok: true, needsRehash: true });
    expect(await hashPassword(password)).toMatch(/^scrypt\$17\$8\$1\$/);
  }, 30_000);

  it('is refused in production and below N=2^10', () => {
    process.env.NODE_ENV = 'production';
    expect(() => useCheaperScryptForTests({ log2N: 10, r: 8, p: 1 })).toThrow(/test suites only/);
    process.env.NODE_ENV = nodeEnv;
    expect(() => useCheaperScryptForTests({ log2N: 4, r: 8, p: 1 })).toThrow(/between/);
    expect(activeScryptParameters()).toEqual(CURRENT_SCRYPT_PARAMETERS);
  });

  it('is never called outside tests/', () => {
    const callers: string[] = [];
    const visit = (dir: string) => {
      for (const entry of readdirSync(join(projectRoot, dir), { withFileTypes: true })) {
        const path = `${dir}/${entry.name}`;
        if (entry.isDirectory()) visit(path);
        else if (/\.(ts|mts|mjs|js|astro)$/.test(entry.name)) {
          if (readFileSync(join(projectRoot, path), 'utf8').includes('useCheaperScryptForTests(')) {
            callers.push(path);
          }
        }
      }
    };
    for (const dir of ['server', 'scripts', 'db', 'site', 'tools']) visit(dir);
    // Only its definition.
    expect(callers).toEqual(['server/security/passwords.ts']);
  });
});

describe('checkPasswordPolicy', () => {
  it('accepts a long, uncommon password', () => {
    expect(checkPasswordPolicy('kettle orbit marigold', { email: 'sam.jones@example.org', name: 'Sam Jones' })).toEqual(
      {
        ok: true,
      },
    );
    expect(checkPasswordPolicy('x'.repeat(200) + 'Yq3!')).toEqual({ ok: true });
  });

  it.each([
    ['short1!', 'Your password must be at least 12 characters long.'],
    ['', 'Your password must be at least 12 characters long.'],
    // 11 characters as people see them, though 22 UTF-16 code units.
    ['😀'.repeat(11), 'Your password must be at least 12 characters long.'],
    ['a'.repeat(240) + 'b'.repeat(17), 'Your password must be 256 characters or fewer.'],
  ])('length: %j', (value, message) => {
    expect(checkPasswordPolicy(value)).toEqual({ ok: false, message });
  });

  it('rejects passwords containing the email local part or the name', () => {
    expect(checkPasswordPolicy('My-Sam.Jones-password', { email: 'sam.jones@example.org' })).toEqual({
      ok: false,
      message: 'Your password must not contain your email address.',
    });
    expect(checkPasswordPolicy('trombone jones castle', { email: 'x1@example.org', name: 'Sam Jones' })).toEqual({
      ok: false,
      message: 'Your password must not contain your name.',
    });
  });

  it('rejects common passwords, including variants with numbers, symbols and look-alike characters', () => {
    const message = 'Your password is too common and would be easy to guess. Try three random words instead.';
    for (const value of [
      'password1234',
      'PASSWORD1234',
      'Password123!',
      'P@ssw0rd2024!',
      'qwertyuiop123',
      'Liverpool1892!',
      'Sunshine2024!!',
      '1qaz2wsx3edc',
      'iloveyouforever',
      'correcthorsebatterystaple',
      'SaferLives2025',
    ]) {
      expect(checkPasswordPolicy(value), value).toEqual({ ok: false, message });
    }
  });

  it('rejects long repeats and sequences', () => {
    for (const value of [
      'aaaaaaaaaaaa',
      'abcabcabcabc',
      '            ',
      '12345678901234',
      'zyxwvutsrqponm',
      'qwertyuiopasdf',
    ]) {
      expect(checkPasswordPolicy(value), value).toMatchObject({ ok: false, message: expect.stringMatching(/pattern/) });
    }
  });
});

describe('common password list', () => {
  it('has at least 1,000 lower-case entries and no comment lines', () => {
    const list = loadCommonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(1000);
    for (const entry of list) {
      expect(entry).toBe(entry.toLowerCase());
      expect(entry.startsWith('#')).toBe(false);
    }
    expect(loadCommonPasswords()).toBe(list);
  });

  it('matches exact entries and simple variants but not unrelated passphrases', () => {
    expect(isCommonPassword('123456789012')).toBe(true);
    expect(isCommonPassword('Manchesterunited')).toBe(true);
    expect(isCommonPassword('m0nk3y123456')).toBe(true);
    expect(isCommonPassword('kettle orbit marigold')).toBe(false);
    expect(isCommonPassword('dragon in the attic')).toBe(false);
  });
});
