import { z } from 'zod';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
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
    MAIL_FROM: z.string().trim().min(3).default('Safer Lives <no-reply@localhost>'),
    DATA_KEY: optionalText,
    SESSION_SECRET: z.preprocess(
      (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
      z.string().min(32, 'expected at least 32 random characters').optional(),
    ),
    TRUST_PROXY: trustProxySchema.default(false),
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
  });

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
  mailFrom: string;
  dataKey: string;
  sessionSecret: string;
  /** false, true (development only), or the proxies' addresses/CIDR ranges. Never a hop count. */
  trustProxy: boolean | string[];
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
    smtpUrl: e.SMTP_URL ?? null,
    mailFrom: e.MAIL_FROM,
    dataKey: dataKey!,
    sessionSecret: sessionSecret!,
    trustProxy: e.TRUST_PROXY,
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
