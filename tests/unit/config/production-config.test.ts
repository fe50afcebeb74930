import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, configWarnings, loadConfig, loadDotEnv, weakSecretReason } from '../../../server/config.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'portal-prodconfig-'));

/** A production environment that passes every check; each test breaks one thing. */
const production = () => ({
  NODE_ENV: 'production',
  DATA_DIR: dir(),
  PUBLIC_BASE_URL: 'https://portal.example',
  DATA_KEY: randomBytes(32).toString('base64'),
  SESSION_SECRET: randomBytes(48).toString('base64url'),
  SMTP_URL: 'smtp://user:pass@mail.example:587',
});

function problemsFor(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('production mail rule', () => {
  it('accepts a complete production environment and sends through SMTP, with no warnings', () => {
    const config = loadConfig(production());
    expect(config.mailTransport).toBe('smtp');
    expect(configWarnings(config)).toEqual([]);
  });

  it('refuses production without SMTP_URL, saying how to choose files explicitly', () => {
    const problems = problemsFor({ ...production(), SMTP_URL: undefined });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SMTP_URL: is required when NODE_ENV=production .*MAIL_TRANSPORT=files/);
  });

  it('allows MAIL_TRANSPORT=files in production only as an explicit choice, with a warning at every start', () => {
    const config = loadConfig({ ...production(), SMTP_URL: undefined, MAIL_TRANSPORT: 'files' });
    expect(config.mailTransport).toBe('files');
    expect(config.smtpUrl).toBeNull();
    const warnings = configWarnings(config);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/MAIL_TRANSPORT=files in production: no email is sent/);
    // Explicit files wins over an SMTP_URL left in place.
    expect(loadConfig({ ...production(), MAIL_TRANSPORT: 'files' }).mailTransport).toBe('files');
  });

  it('keeps development simple: no SMTP_URL means .eml files, without a warning', () => {
    const config = loadConfig({ DATA_DIR: dir() });
    expect(config.mailTransport).toBe('files');
    expect(configWarnings(config)).toEqual([]);
  });

  it('refuses MAIL_TRANSPORT=smtp without SMTP_URL anywhere, and unknown transports', () => {
    expect(problemsFor({ DATA_DIR: dir(), MAIL_TRANSPORT: 'smtp' })).toEqual([
      'SMTP_URL: is required when MAIL_TRANSPORT=smtp',
    ]);
    expect(problemsFor({ DATA_DIR: dir(), MAIL_TRANSPORT: 'pigeon' })[0]).toMatch(/^MAIL_TRANSPORT: expected/);
  });
});

describe('secret strength in production', () => {
  it.each([
    ['one character repeated', 'a'.repeat(48)],
    ['a short pattern repeated', 'abc123'.repeat(8)],
    ['too few different characters', 'aabbccddeeff0011'.repeat(2) + 'aabbccdd'],
  ])('refuses a SESSION_SECRET that is %s', (_label, secret) => {
    const problems = problemsFor({ ...production(), SESSION_SECRET: secret });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^SESSION_SECRET: /);
    expect(problems[0]).not.toContain(secret);
  });

  it('refuses a DATA_KEY made of one repeated byte, naming the entry', () => {
    const weak = Buffer.alloc(32, 7).toString('base64');
    const strong = randomBytes(32).toString('base64');
    expect(problemsFor({ ...production(), DATA_KEY: weak })).toEqual([
      expect.stringMatching(/^DATA_KEY: entry 1 is not random enough/),
    ]);
    expect(problemsFor({ ...production(), DATA_KEY: `k2:${strong},k1:${'ab'.repeat(32)}` })).toEqual([
      expect.stringMatching(/^DATA_KEY: entry 2 is not random enough/),
    ]);
    expect(problemsFor({ ...production(), DATA_KEY: `k2:${strong},k1:${randomBytes(32).toString('hex')}` })).toEqual(
      [],
    );
  });

  it('passes random secrets of the documented kinds', () => {
    for (let i = 0; i < 50; i += 1) {
      expect(weakSecretReason(randomBytes(48).toString('base64'))).toBeNull();
      expect(weakSecretReason(randomBytes(32).toString('hex'))).toBeNull();
    }
  });
});

describe('loadDotEnv', () => {
  it('reads .env from the given folder without overriding the environment', () => {
    const cwd = dir();
    writeFileSync(
      join(cwd, '.env'),
      'DATA_DIR=/from/dotenv\nLOG_LEVEL=debug\n# comment\nMAIL_FROM="A <a@b.example>"\n',
    );
    const env: Record<string, string | undefined> = { LOG_LEVEL: 'warn' };
    expect(loadDotEnv(env, cwd)).toBe(join(cwd, '.env'));
    expect(env).toEqual({ DATA_DIR: '/from/dotenv', LOG_LEVEL: 'warn', MAIL_FROM: 'A <a@b.example>' });
  });

  it('reads ENV_FILE when set, and says so when it is missing', () => {
    const cwd = dir();
    writeFileSync(join(cwd, 'portal.env'), 'PORT=5000\n');
    const env: Record<string, string | undefined> = { ENV_FILE: 'portal.env' };
    loadDotEnv(env, cwd);
    expect(env.PORT).toBe('5000');
    expect(() => loadDotEnv({ ENV_FILE: 'nope.env' }, cwd)).toThrow(ConfigError);
    expect(loadDotEnv({}, cwd)).toBeNull();
  });
});
