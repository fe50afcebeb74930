import { loadConfig, ConfigError } from './config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { encryptedMigrationBackup } from './backup/migration-backup.ts';
import { buildApp } from './app.ts';
import { existsSync } from 'node:fs';

const SHUTDOWN_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  // A local .env is optional; real deployments set the environment directly.
  if (existsSync('.env')) process.loadEnvFile('.env');
  const warnings: string[] = [];
  let config;
  try {
    config = loadConfig(process.env, {
      onGeneratedSecrets: (names, file) =>
        warnings.push(
          `${names.join(' and ')} not set: using development values stored in ${file} (never do this in production)`,
        ),
    });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee README.md "Configuration" for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }

  const database = openDatabase(config.databasePath);
  const migration = await migrateDatabase(database.sqlite, { takeBackup: encryptedMigrationBackup(config) });
  const app = await buildApp(config, { database });
  for (const warning of warnings) app.log.warn(warning);
  if (migration.applied > 0)
    app.log.info({ applied: migration.applied, backup: migration.backupPath }, 'database migrated');

  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      app.log.error('shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_LIMIT_MS);
    timer.unref();
    // server.close() drops idle keep-alive sockets only once; a request finishing after that would keep
    // its socket open until the keep-alive timeout, so keep closing newly idle ones.
    const idleSweep = setInterval(() => app.server.closeIdleConnections(), 100);
    idleSweep.unref();
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'error while shutting down');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  await app.listen({ port: config.port, host: config.host });
}

main().catch((error: unknown) => {
  process.stderr.write(`The portal could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
