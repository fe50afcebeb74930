import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { loadConfig, type AppConfig } from '../../server/config.ts';
import { openDatabase, type OpenedDatabase } from '../../db/client.ts';
import { migrateDatabase } from '../../db/migrate.ts';
import { buildApp, type AppDeps } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';

export interface TestApp {
  app: FastifyInstance;
  config: AppConfig;
  database: OpenedDatabase;
  dir: string;
  logs: string[];
  cleanup(): Promise<void>;
}

/** Collects every log line the app writes, so tests can prove what never reaches the log. */
export function logCollector(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

export function testEnv(dir: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATA_DIR: dir,
    DATA_KEY: randomBytes(32).toString('base64'),
    SESSION_SECRET: randomBytes(32).toString('base64url'),
    LOG_LEVEL: 'info',
    PUBLIC_BASE_URL: 'http://localhost',
    ...extra,
  };
}

/**
 * The real app on a real SQLite file in a temporary folder, with real migrations. `ready` is left to the
 * caller so a test can add a route (e.g. one that throws) before the first request.
 */
export async function buildTestApp(
  options: { env?: Record<string, string>; clock?: Clock; deps?: Partial<AppDeps> } = {},
): Promise<TestApp> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-test-'));
  const config = loadConfig(testEnv(dir, options.env));
  const database = openDatabase(config.databasePath);
  await migrateDatabase(database.sqlite);
  const { stream, lines } = logCollector();
  const app = await buildApp(config, {
    database,
    logStream: stream,
    ...(options.clock ? { clock: options.clock } : {}),
    ...options.deps,
  });
  return {
    app,
    config,
    database,
    dir,
    logs: lines,
    async cleanup() {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
