import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, loadConfig } from '../../../server/config.ts';

const dir = () => mkdtempSync(join(tmpdir(), 'portal-config-'));

function problemsFor(env: Record<string, string>): string[] {
  try {
    loadConfig({ DATA_DIR: dir(), ...env });
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('loadConfig', () => {
  it('uses documented defaults for a newcomer', () => {
    const dataDir = dir();
    const config = loadConfig({ DATA_DIR: dataDir });
    expect(config.port).toBe(4321);
    expect(config.host).toBe('127.0.0.1');
    expect(config.databasePath).toBe(join(dataDir, 'portal.db'));
    expect(config.mailDir).toBe(join(dataDir, 'mail'));
    expect(config.smtpUrl).toBeNull();
    expect(config.servedOverHttps).toBe(false);
    expect(config.trustProxy).toBe(false);
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL'],
    [{ PUBLIC_BASE_URL: 'ftp://example.org' }, 'PUBLIC_BASE_URL'],
    [{ SMTP_URL: 'http://mail.example.org' }, 'SMTP_URL'],
    [{ SESSION_SECRET: 'short' }, 'SESSION_SECRET'],
    [{ TRUST_PROXY: 'sometimes' }, 'TRUST_PROXY'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ NODE_ENV: 'staging' }, 'NODE_ENV'],
  ])('names the variable that is wrong: %o', (env, name) => {
    const problems = problemsFor(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${name}: expected`));
  });

  it('requires real secrets and https in production, naming each', () => {
    const problems = problemsFor({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'http://portal.example' });
    expect(problems).toEqual(
      expect.arrayContaining([
        'DATA_KEY: is required when NODE_ENV=production',
        'SESSION_SECRET: is required when NODE_ENV=production',
        'PUBLIC_BASE_URL: must use https when NODE_ENV=production',
      ]),
    );
  });

  it('never echoes a secret value in its error', () => {
    const secret = 'tiny-secret-value';
    const problems = problemsFor({ SESSION_SECRET: secret });
    expect(problems.join('\n')).not.toContain(secret);
  });

  it('generates development secrets once, with owner-only permissions, and reuses them', () => {
    const dataDir = dir();
    const generated: string[][] = [];
    const first = loadConfig({ DATA_DIR: dataDir }, { onGeneratedSecrets: (names) => generated.push(names) });
    const second = loadConfig({ DATA_DIR: dataDir });
    const file = join(dataDir, 'development-secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(second.dataKey).toBe(first.dataKey);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(generated).toEqual([['DATA_KEY', 'SESSION_SECRET']]);
    expect(Buffer.from(first.dataKey, 'base64')).toHaveLength(32);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toHaveProperty('sessionSecret', first.sessionSecret);
  });

  it('refuses a TRUST_PROXY hop count, saying to write the proxy address instead', () => {
    for (const hops of ['1', '2']) {
      const problems = problemsFor({ TRUST_PROXY: hops });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^TRUST_PROXY: a number of proxy hops is not supported/);
      expect(problems[0]).toContain('TRUST_PROXY=10.0.0.5');
    }
  });

  it('refuses TRUST_PROXY=true in production (any client could forge X-Forwarded-For), but not in development', () => {
    const problems = problemsFor({
      NODE_ENV: 'production',
      TRUST_PROXY: 'true',
      DATA_KEY: randomBytes(32).toString('base64'),
      SESSION_SECRET: randomBytes(32).toString('base64url'),
      PUBLIC_BASE_URL: 'https://portal.example',
      MAIL_TRANSPORT: 'files',
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^TRUST_PROXY: must not be "true" when NODE_ENV=production/);
    expect(problems[0]).toContain('forge X-Forwarded-For');
    expect(problems[0]).toContain('TRUST_PROXY=10.0.0.0/8');
    expect(
      loadConfig({
        NODE_ENV: 'production',
        TRUST_PROXY: '10.0.0.0/8',
        DATA_KEY: randomBytes(32).toString('base64'),
        SESSION_SECRET: randomBytes(32).toString('base64url'),
        PUBLIC_BASE_URL: 'https://portal.example',
        MAIL_TRANSPORT: 'files',
        DATA_DIR: dir(),
      }).trustProxy,
    ).toEqual(['10.0.0.0/8']);
  });

  it('parses TRUST_PROXY forms and switches on HSTS-worthy https', () => {
    expect(loadConfig({ DATA_DIR: dir(), TRUST_PROXY: 'true' }).trustProxy).toBe(true);
    expect(loadConfig({ DATA_DIR: dir(), TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
    ]);
    expect(loadConfig({ DATA_DIR: dir(), PUBLIC_BASE_URL: 'https://portal.example/' }).publicBaseUrl).toBe(
      'https://portal.example',
    );
  });
});
