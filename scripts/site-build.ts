import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const builtEntry = join(root, 'dist/server/entry.mjs');
const sourcePaths = ['site', 'astro.config.mjs', 'package-lock.json'];

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/ is missing or older than any source the Astro build reads. */
export function siteBuildIsStale(): boolean {
  if (!existsSync(builtEntry)) return true;
  const builtAt = statSync(builtEntry).mtimeMs;
  return sourcePaths.some((p) => newestMtime(join(root, p)) > builtAt);
}

export async function ensureSiteBuilt(options: { quiet?: boolean } = {}): Promise<void> {
  if (!siteBuildIsStale()) return;
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/astro.js'), 'build'], {
    cwd: root,
    stdio: options.quiet ? 'pipe' : 'inherit',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    throw new Error(`astro build failed:\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  }
}
