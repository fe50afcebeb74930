import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one place that says where the files the portal reads at run time live. Paths are resolved from the
 * project root (the folder holding this project's package.json), found by walking up from this module, so
 * they are the same whether the code runs from its TypeScript source (tests, `npm run dev`) or from the
 * compiled bundle in dist/app/ (`npm start`, the container, the systemd unit).
 */
function findProjectRoot(from: string): string {
  let dir = dirname(fileURLToPath(from));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const name = (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name;
      if (name === 'safer-lives-portal') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the safer-lives-portal folder (its package.json) above this file');
    dir = parent;
  }
}

export const projectRoot = findProjectRoot(import.meta.url);

export const runtimePaths = Object.freeze({
  /** The prerendered public site. */
  clientDir: join(projectRoot, 'dist/client'),
  /** Astro's built handler for the on-request pages. */
  serverEntry: join(projectRoot, 'dist/server/entry.mjs'),
  /** Committed drizzle migrations, applied at start. */
  migrationsFolder: join(projectRoot, 'db/migrations'),
  /** Offices, hours, closures and alert recipients. */
  officesConfig: join(projectRoot, 'server/offices/offices.config.json'),
  /** The deny list of common passwords. */
  commonPasswords: join(projectRoot, 'server/security/common-passwords.txt'),
});
