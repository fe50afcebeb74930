import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { secureDataFiles } from './data-dir.ts';
import { isAbsolute, join, resolve } from 'node:path';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Blank values in a .env file mean "not set", not "set to an empty string". */
const optionalText = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
  z.string().optional(),
);

const TRUST_PROXY_EXAMPLE =
  "the proxy's own address or CIDR range, e.g. TRUST_PROXY=10.0.0.5 or TRUST_PROXY=10.0.0.0/8";

const trustProxySchema = z
  .string()
  .trim()
  .transform((value, ctx): boolean | string[] => {
    if (value === '' || value === 'false') return false;
    if (value === 'true') return true;
    if (/^\d+$/.test(value)) {
      // Fastify 5 ignores a hop count (it fails closed): every client would look like the proxy and share one limit.
      ctx.addIssue({
        code: 'custom',
        message: `a number of proxy hops is not supported (Fastify ignores it, so every visitor would share the proxy's rate limit): write ${TRUST_PROXY_EXAMPLE}`,
      });
      return z.NEVER;
    }
    const parts = value
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const addressLike = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;
    if (parts.every((p) => addressLike.test(p) || p === 'loopback' || p === 'linklocal' || p === 'uniquelocal'))
      return parts;
    ctx.addIssue({
      code: 'custom',
      message: 'expected "false" or a comma-separated list of proxy addresses or CIDR ranges',
    });
    return z.NEVER;
  });

export const envSchema = z
  .object({
    NODE_ENV: z
      .enum(['development', 'production', 'test'], { message: 'expected "development", "production" or "test"' })
      .default('development'),
    PORT: z.coerce
      .number({ message: 'expected a port number' })
      .int()
      .min(0, 'expected a port number from 0 to 65535')
      .max(65535, 'expected a port number from 0 to 65535')
      .default(4321),
    HOST: z.string().trim().min(1, 'expected a host name or IP address to listen on').default('127.0.0.1'),
    PUBLIC_BASE_URL: z
      .url({ protocol: /^https?$/, message: 'expected an absolute http(s) URL such as https://saferlives.example' })
      .default('http://localhost:4321')
      .transform((u) => u.replace(/\/+$/, '')),
    DATA_DIR: z.string().trim().min(1).default('./data'),
    DATABASE_PATH: optionalText,
    SMTP_URL: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.url({ protocol: /^smtps?$/, message: 'expected smtp://user:pass@host:port or smtps://…' }).optional(),
    ),
    MAIL_TRANSPORT: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.enum(['smtp', 'files'], { message: 'expected "smtp" or "files"' }).optional(),
    ),
    MAIL_FROM: z.string().trim().min(3).default('Safer Lives <no-reply@localhost>'),
    DATA_KEY: optionalText,
    SESSION_SECRET: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().min(32, 'expected at least 32 random characters').optional(),
    ),
    TRUST_PROXY: trustProxySchema.default(false),
    BACKUP_DIR: optionalText,
    BACKUP_TIME: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a London time such as 02:30')
      .default('02:30'),
    BACKUP_KEEP_DAILY: z.coerce.number({ message: 'expected a whole number' }).int().min(1).max(366).default(7),
    BACKUP_KEEP_WEEKLY: z.coerce.number({ message: 'expected a whole number' }).int().min(0).max(520).default(8),
    RETENTION_TIME: z
      .string()
      .trim()
      .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a London time such as 03:00')
      .default('03:00'),
    LOG_LEVEL: z.enum(logLevels, { message: `expected one of ${logLevels.join(', ')}` }).default('info'),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV !== 'production') return;
    for (const name of ['DATA_KEY', 'SESSION_SECRET'] as const) {
      if (!env[name]) ctx.addIssue({ code: 'custom', path: [name], message: 'is required when NODE_ENV=production' });
    }
    if (env.TRUST_PROXY === true) {
      ctx.addIssue({
        code: 'custom',
        path: ['TRUST_PROXY'],
        message: `must not be "true" when NODE_ENV=production (it trusts every hop, so any client could forge X-Forwarded-For and escape every rate limit): write ${TRUST_PROXY_EXAMPLE}`,
      });
    }
    if (env.PUBLIC_BASE_URL.startsWith('http://')) {
      ctx.addIssue({ code: 'custom', path: ['PUBLIC_BASE_URL'], message: 'must use https when NODE_ENV=production' });
    }
    // Staff alerts must reach staff: in production, .eml files nobody reads are only ever an explicit choice.
    if (!env.SMTP_URL && env.MAIL_TRANSPORT !== 'files') {
      ctx.addIssue({
        code: 'custom',
        path: ['SMTP_URL'],
        message:
          'is required when NODE_ENV=production (or set MAIL_TRANSPORT=files to write every email to DATA_DIR/mail instead: staff get no alerts)',
      });
    }
    if (env.SESSION_SECRET && weakSecretReason(env.SESSION_SECRET))
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: weakSecretReason(env.SESSION_SECRET)! });
    if (env.DATA_KEY) {
      for (const problem of weakDataKeyProblems(env.DATA_KEY))
        ctx.addIssue({ code: 'custom', path: ['DATA_KEY'], message: problem });
    }
  })
  .superRefine((env, ctx) => {
    if (env.MAIL_TRANSPORT === 'smtp' && !env.SMTP_URL)
      ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when MAIL_TRANSPORT=smtp' });
  });

/**
 * Why a secret is too weak to use in production, or null. Catches what people type when asked for "a long
 * random string": one character repeated, a short pattern repeated, or too few different characters.
 * Generate one with `openssl rand -base64 48`.
 */
export function weakSecretReason(secret: string): string | null {
  const advice = 'use a random value, e.g. from `openssl rand -base64 48`';
  for (let unit = 1; unit <= secret.length / 2; unit += 1) {
    if (secret.length % unit === 0 && secret.slice(0, unit).repeat(secret.length / unit) === secret)
      return `is one short pattern repeated: ${advice}`;
  }
  if (new Set(secret).size < 12) return `uses fewer than 12 different characters: ${advice}`;
  return null;
}

/** Problems with the keys in DATA_KEY (`id:key,…` or one bare key) that only matter for strength, not format. */
function weakDataKeyProblems(value: string): string[] {
  const problems: string[] = [];
  const entries = value.split(',').map((e) => e.trim());
  entries.forEach((entry, index) => {
    const encoded = entries.length === 1 && !entry.includes(':') ? entry : entry.slice(entry.indexOf(':') + 1).trim();
    const bytes = /^[0-9a-fA-F]{64}$/.test(encoded)
      ? Buffer.from(encoded, 'hex')
      : Buffer.from(encoded.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
    // 32 random bytes almost always hold 25 or more different values; fewer than 16 is a made-up key.
    if (bytes.length === 32 && new Set(bytes).size < 16)
      problems.push(
        `entry ${index + 1} is not random enough (a repeated or made-up key): generate one with \`openssl rand -base64 32\``,
      );
  });
  return problems;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicBaseUrl: string;
  /** True when the public origin is https: only then is HSTS sent and cookies marked Secure. */
  servedOverHttps: boolean;
  dataDir: string;
  databasePath: string;
  /** Where .eml files go when no SMTP server is configured. */
  mailDir: string;
  smtpUrl: string | null;
  /** How email leaves: through SMTP_URL, or as .eml files in mailDir (development, or MAIL_TRANSPORT=files). */
  mailTransport: 'smtp' | 'files';
  mailFrom: string;
  dataKey: string;
  sessionSecret: string;
  /** false, true (development only), or the proxies' addresses/CIDR ranges. Never a hop count. */
  trustProxy: boolean | string[];
  /** Encrypted backups (docs/backups.md): where, when (London time) and how many to keep. */
  backupDir: string;
  backupTime: string;
  backupKeepDaily: number;
  backupKeepWeekly: number;
  /** When the daily retention run happens (London time). */
  retentionTime: string;
  logLevel: (typeof logLevels)[number];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface GeneratedSecrets {
  dataKey?: string;
  sessionSecret?: string;
}

/**
 * Reads the environment once. Values are never echoed back in errors: several of them are secrets.
 * Missing development secrets are generated once into DATA_DIR (mode 0600) so a newcomer can just run
 * `npm start`; `onGeneratedSecrets` lets the caller log a warning about it.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { cwd?: string; onGeneratedSecrets?: (names: string[], file: string) => void } = {},
): AppConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const name = issue.path.join('.') || 'environment';
        return `${name}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  const cwd = options.cwd ?? process.cwd();
  const dataDir = isAbsolute(e.DATA_DIR) ? e.DATA_DIR : resolve(cwd, e.DATA_DIR);
  const databasePath = e.DATABASE_PATH
    ? e.DATABASE_PATH === ':memory:' || isAbsolute(e.DATABASE_PATH)
      ? e.DATABASE_PATH
      : resolve(cwd, e.DATABASE_PATH)
    : join(dataDir, 'portal.db');

  let dataKey = e.DATA_KEY;
  let sessionSecret = e.SESSION_SECRET;
  if (!dataKey || !sessionSecret) {
    const secretsFile = join(dataDir, 'development-secrets.json');
    const stored = readOrCreateDevelopmentSecrets(secretsFile);
    const generated: string[] = [];
    if (!dataKey) {
      dataKey = stored.dataKey;
      generated.push('DATA_KEY');
    }
    if (!sessionSecret) {
      sessionSecret = stored.sessionSecret;
      generated.push('SESSION_SECRET');
    }
    options.onGeneratedSecrets?.(generated, secretsFile);
  }

  return Object.freeze({
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicBaseUrl: e.PUBLIC_BASE_URL,
    servedOverHttps: e.PUBLIC_BASE_URL.startsWith('https://'),
    dataDir,
    databasePath,
    mailDir: join(dataDir, 'mail'),
    // An explicit MAIL_TRANSPORT=files wins over SMTP_URL, so files is never chosen by accident.
    smtpUrl: e.MAIL_TRANSPORT === 'files' ? null : (e.SMTP_URL ?? null),
    mailTransport: e.MAIL_TRANSPORT === 'files' || !e.SMTP_URL ? 'files' : 'smtp',
    mailFrom: e.MAIL_FROM,
    dataKey: dataKey!,
    sessionSecret: sessionSecret!,
    trustProxy: e.TRUST_PROXY,
    backupDir: e.BACKUP_DIR
      ? isAbsolute(e.BACKUP_DIR)
        ? e.BACKUP_DIR
        : resolve(cwd, e.BACKUP_DIR)
      : join(dataDir, 'backups'),
    backupTime: e.BACKUP_TIME,
    backupKeepDaily: e.BACKUP_KEEP_DAILY,
    backupKeepWeekly: e.BACKUP_KEEP_WEEKLY,
    retentionTime: e.RETENTION_TIME,
    logLevel: e.LOG_LEVEL,
  });
}

function readOrCreateDevelopmentSecrets(file: string): { dataKey: string; sessionSecret: string } {
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as { dataKey?: string; sessionSecret?: string };
    if (stored.dataKey && stored.sessionSecret) return { dataKey: stored.dataKey, sessionSecret: stored.sessionSecret };
  }
  mkdirSync(resolve(file, '..'), { recursive: true });
  const secrets = {
    dataKey: randomBytes(32).toString('base64'),
    sessionSecret: randomBytes(48).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

/**
 * Warnings every entry point logs at every start, so a setting that is allowed but risky is never silent.
 */
export function configWarnings(config: AppConfig): string[] {
  const warnings: string[] = [];
  if (config.nodeEnv === 'production' && config.mailTransport === 'files') {
    warnings.push(
      `MAIL_TRANSPORT=files in production: no email is sent. Staff alerts and his acknowledgements are written as .eml files to ${config.mailDir} (they hold his email address and reference: delete them once read). Set SMTP_URL to send mail.`,
    );
  }
  return warnings;
}

/**
 * Loads a `.env` file (default: `.env` in the current folder, which `npm run` sets to the project root) into
 * `env` without overriding anything already set there: the environment wins. Set ENV_FILE to use another file.
 * Returns the file read, or null.
 */
export function loadDotEnv(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): string | null {
  const file = resolve(cwd, env.ENV_FILE ?? '.env');
  if (!existsSync(file)) {
    if (env.ENV_FILE) throw new ConfigError([`ENV_FILE: ${file} does not exist`]);
    return null;
  }
  if (env === process.env) {
    process.loadEnvFile(file);
  } else {
    for (const [name, value] of Object.entries(parseEnv(readFileSync(file, 'utf8'))))
      if (env[name] === undefined) env[name] = value;
  }
  return file;
}

export interface EntryPointConfig {
  config: AppConfig;
  /** Things to log at start (development secrets in use, risky production settings). */
  warnings: string[];
  /** The .env file read, if any. */
  envFile: string | null;
}

/**
 * What every entry point (the server and every script) calls first: `.env`, then the environment, through the
 * one schema. On a configuration error it prints which variables are wrong and exits with status 1.
 */
export function loadEntryPointConfig(
  options: { env?: NodeJS.ProcessEnv; cwd?: string; overrides?: Record<string, string> } = {},
): EntryPointConfig {
  const env = options.env ?? process.env;
  const warnings: string[] = [];
  // Before anything is written (development secrets, the database): data files are for this service alone.
  process.umask(0o077);
  try {
    const envFile = loadDotEnv(env, options.cwd);
    const config = loadConfig(
      { ...env, ...options.overrides },
      {
        ...(options.cwd ? { cwd: options.cwd } : {}),
        onGeneratedSecrets: (names, file) =>
          warnings.push(
            `${names.join(' and ')} not set: using development values stored in ${file} (never do this in production)`,
          ),
      },
    );
    secureDataFiles(config.dataDir, config.databasePath);
    return { config, warnings: [...warnings, ...configWarnings(config)], envFile };
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md "Configuration" for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}
