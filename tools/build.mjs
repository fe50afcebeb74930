// @ts-check
/**
 * Builds the portal: the Astro site into dist/client + dist/server, and the server and every scripts/*.ts
 * compiled to JavaScript (esbuild) into dist/app. Plain JavaScript, so building and starting need no
 * TypeScript tooling.
 *
 * Whether a part is out of date is decided from what its build actually read, by content (not by time, so an
 * `npm install` that changes nothing rebuilds nothing): dist/build-stamp.json records, for each part, every
 * input file with a hash of its content.
 *   site: every file under site/, astro.config.mjs, tsconfig.json, package-lock.json, and every project file
 *         the site imports from outside site/ (server/referrals/questions.ts, which /refer is built from, and
 *         what it imports in turn), found by esbuild from the site's own imports.
 *   app:  every project file esbuild bundled into dist/app (its metafile), package-lock.json, and the list of
 *         scripts/*.ts (a new script is compiled without any change here).
 *
 *   node tools/build.mjs            build everything (npm run build)
 *   node tools/build.mjs --if-stale build only the parts that are out of date
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'dist/build-stamp.json');
const appDir = join(root, 'dist/app');
const siteEntry = join(root, 'dist/server/entry.mjs');
/** Files whose content changes what either build produces, besides the sources themselves. */
const sharedInputs = ['package-lock.json', 'tsconfig.json'];

/** @param {string} path */
const toPosix = (path) => path.split(sep).join('/');

/** @param {string} dir @returns {string[]} project-relative paths of every file under dir */
function filesUnder(dir) {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  /** @type {string[]} */
  const out = [];
  for (const entry of readdirSync(abs, { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...filesUnder(rel));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** @param {string[]} paths @returns {Record<string, string>} */
function hashFiles(paths) {
  /** @type {Record<string, string>} */
  const hashes = {};
  for (const path of [...new Set(paths)].sort()) {
    const abs = join(root, path);
    hashes[path] = existsSync(abs) ? createHash('sha256').update(readFileSync(abs)).digest('hex') : 'missing';
  }
  return hashes;
}

/** The compiled entry points: the server and every script. */
export function appEntries() {
  return [
    'server/main.ts',
    ...readdirSync(join(root, 'scripts'))
      .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
      .sort()
      .map((name) => `scripts/${name}`),
  ];
}

/** @returns {{ site?: { files: Record<string, string> }, app?: { entries: string[], files: Record<string, string> } }} */
function readStamp() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return {};
  }
}

/** @param {ReturnType<typeof readStamp>} stamp */
function writeStamp(stamp) {
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, JSON.stringify(stamp, null, 2) + '\n');
}

/**
 * @param {Record<string, string>} recorded
 * @returns {string | null} the first input whose content differs from the recorded build, or null
 */
function firstChanged(recorded) {
  const now = hashFiles(Object.keys(recorded));
  return Object.keys(recorded).find((path) => now[path] !== recorded[path]) ?? null;
}

/** @returns {string | null} why the site must be built, or null when dist/ is up to date */
export function siteStaleReason() {
  if (!existsSync(siteEntry)) return 'the site has not been built yet';
  const recorded = readStamp().site?.files;
  if (!recorded) return 'there is no record of what the site was built from';
  const recordedSiteFiles = Object.keys(recorded).filter((p) => p.startsWith('site/'));
  const currentSiteFiles = filesUnder('site');
  if (currentSiteFiles.length !== recordedSiteFiles.length || currentSiteFiles.some((p) => !(p in recorded)))
    return 'files were added to or removed from site/';
  const changed = firstChanged(recorded);
  return changed ? `${changed} changed` : null;
}

/** @returns {string | null} why the server and scripts must be compiled, or null when dist/app is up to date */
export function appStaleReason() {
  const recorded = readStamp().app;
  if (!recorded || !existsSync(join(appDir, 'server/main.js'))) return 'the server has not been compiled yet';
  if (JSON.stringify(recorded.entries) !== JSON.stringify(appEntries())) return 'scripts/ has new or removed scripts';
  const changed = firstChanged(recorded.files);
  return changed ? `${changed} changed` : null;
}

/** Project files (outside site/) that the site's pages and components import, directly or not. */
async function siteImportsOutsideSite() {
  const esbuild = await import('esbuild');
  const importPattern = /(?:import|from)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;
  /** @type {Set<string>} */
  const entries = new Set();
  for (const file of filesUnder('site')) {
    if (!/\.(astro|ts|mjs|js)$/.test(file)) continue;
    const text = readFileSync(join(root, file), 'utf8');
    for (const match of text.matchAll(importPattern)) {
      const target = toPosix(relative(root, resolve(root, dirname(file), /** @type {string} */ (match[1]))));
      if (!target.startsWith('site/') && !target.startsWith('..') && existsSync(join(root, target)))
        entries.add(target);
    }
  }
  if (entries.size === 0) return [];
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [...entries],
    bundle: true,
    write: false,
    metafile: true,
    packages: 'external',
    platform: 'node',
    format: 'esm',
    outdir: 'out',
    logLevel: 'silent',
  });
  await esbuild.stop();
  return Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
}

export async function buildSite(options = { quiet: false }) {
  const result = spawnSync(process.execPath, [join(root, 'node_modules/astro/astro.js'), 'build'], {
    cwd: root,
    stdio: options.quiet ? 'pipe' : 'inherit',
    env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' },
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`astro build failed:\n${result.stdout ?? ''}\n${result.stderr ?? ''}`);
  await recordSiteBuild();
}

/** Records what the site build just read (every input with a hash of its content) in dist/build-stamp.json. */
export async function recordSiteBuild() {
  const inputs = [...filesUnder('site'), 'astro.config.mjs', ...sharedInputs, ...(await siteImportsOutsideSite())];
  writeStamp({ ...readStamp(), site: { files: hashFiles(inputs) } });
}

export async function buildApp() {
  const esbuild = await import('esbuild');
  const entries = appEntries();
  rmSync(appDir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: entries,
    outdir: 'dist/app',
    outbase: '.',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    packages: 'external',
    sourcemap: true,
    metafile: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  // esbuild keeps a helper process for later builds; the server that runs next must not carry it.
  await esbuild.stop();
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('node_modules/'));
  writeStamp({ ...readStamp(), app: { entries, files: hashFiles([...inputs, ...sharedInputs]) } });
}

/** @param {{ onlyIfStale?: boolean, site?: boolean, log?: (line: string) => void }} options */
export async function build(options = {}) {
  const log = options.log ?? ((line) => process.stdout.write(`${line}\n`));
  const wantSite = options.site ?? true;
  const siteReason = wantSite ? (options.onlyIfStale ? siteStaleReason() : 'npm run build') : null;
  if (siteReason) {
    log(`Building the site (${siteReason})…`);
    await buildSite();
  }
  const appReason = options.onlyIfStale ? appStaleReason() : 'npm run build';
  if (appReason) {
    log(`Compiling the server and scripts (${appReason})…`);
    await buildApp();
  }
  return { site: siteReason !== null, app: appReason !== null };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = Date.now();
  try {
    const built = await build({ onlyIfStale: process.argv.includes('--if-stale') });
    if (!built.site && !built.app) process.stdout.write('Everything is up to date.\n');
    else process.stdout.write(`Built in ${((Date.now() - started) / 1000).toFixed(1)} s.\n`);
  } catch (error) {
    process.stderr.write(`Build failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
