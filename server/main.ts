import { loadEntryPointConfig } from './config.ts';
import { openDatabase } from '../db/client.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { encryptedMigrationBackup } from './backup/migration-backup.ts';
import { buildApp } from './app.ts';
import { reindexNameSearch } from './referrals/name-index.ts';

const SHUTDOWN_LIMIT_MS = 10_000;

async function main(): Promise<void> {
  // .env (optional; real deployments set the environment directly), then the environment, through the one schema.
  const { config, warnings } = loadEntryPointConfig();

  const database = openDatabase(config.databasePath);
  const migration = await migrateDatabase(database.sqlite, { takeBackup: encryptedMigrationBackup(config) });
  const app = await buildApp(config, { database });
  for (const warning of warnings) app.log.warn(warning);
  // Once, after upgrading: name search values from before they recorded their key get rewritten (and each
  // word indexed for partial search).
  const reindexed = reindexNameSearch(database.sqlite, app.services.keyring, 'unlabelled');
  if (reindexed > 0) app.log.info({ referrals: reindexed }, 'name search values rewritten under the current key');
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
