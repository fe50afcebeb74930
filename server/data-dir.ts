import { chmodSync, existsSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Data files are readable by the service alone. Every entry point calls this before it opens anything:
 * the umask makes every file this process creates 0600 and every folder 0700 (the database, its -wal and
 * -shm, backups, .eml mail, development secrets), and anything already there from an older version or a
 * careless copy is tightened to the same modes.
 */
export function secureDataFiles(dataDir: string, databasePath?: string): void {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  tighten(dataDir);
  if (databasePath && databasePath !== ':memory:') {
    mkdirSync(dirname(databasePath), { recursive: true, mode: 0o700 });
    for (const file of [databasePath, `${databasePath}-wal`, `${databasePath}-shm`])
      if (existsSync(file)) chmodSync(file, 0o600);
  }
}

function tighten(path: string): void {
  const stat = lstatSync(path);
  if (stat.isSymbolicLink()) return;
  if (stat.isDirectory()) {
    if ((stat.mode & 0o777) !== 0o700) chmodSync(path, 0o700);
    for (const entry of readdirSync(path)) tighten(join(path, entry));
  } else if (stat.isFile() && (stat.mode & 0o777) !== 0o600) {
    chmodSync(path, 0o600);
  }
}
