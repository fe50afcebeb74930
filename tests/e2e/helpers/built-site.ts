/**
 * The prerendered public site in dist/client, read straight from disk (no browser needed), so both the
 * browser tests and the integration tests over the built files can list and read pages.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { clientDir } from '../../../server/site-files.ts';

export { clientDir };

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * True when the built site in `dir` is complete: the home page exists and every /_astro asset it links to
 * is there. (While `astro build` runs, dist/ is emptied and refilled.)
 */
export function builtSiteIsComplete(dir: string = clientDir): boolean {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return false;
  const html = readFileSync(index, 'utf8');
  const assets = Array.from(html.matchAll(/(?:href|src)="(\/_astro\/[^"]+)"/g), (m) => m[1]!);
  return assets.length > 0 && assets.every((asset) => existsSync(join(dir, asset)));
}

/**
 * Waits (up to `timeoutMs`) for a complete build in `dir`. Several people may share one working tree, and
 * another test run's `astro build` briefly empties dist/; in CI this returns at once.
 */
export function waitForBuiltSite(dir: string = clientDir, timeoutMs = 90_000): void {
  const deadline = Date.now() + timeoutMs;
  while (!builtSiteIsComplete(dir)) {
    if (Date.now() > deadline) throw new Error(`No complete built site in ${dir}: run npm run build`);
    sleepSync(500);
  }
}

/** Every built HTML page, as the URL path the app serves it at. */
export function builtPages(dir: string = clientDir): string[] {
  waitForBuiltSite(dir);
  const pages: string[] = [];
  const walk = (folder: string): void => {
    for (const name of readdirSync(folder)) {
      const full = join(folder, name);
      if (statSync(full).isDirectory()) {
        if (name !== '_astro') walk(full);
      } else if (name.endsWith('.html')) {
        const rel = relative(dir, full).split(sep).join('/');
        if (rel === 'index.html') pages.push('/');
        else if (rel.endsWith('/index.html')) pages.push(`/${rel.slice(0, -'index.html'.length)}`);
        else pages.push(`/${rel}`);
      }
    }
  };
  walk(dir);
  return pages.sort();
}

/** The file in dist/client that holds a built page's HTML. */
export function builtFileFor(path: string, dir: string = clientDir): string {
  if (path.endsWith('.html')) return join(dir, path);
  return join(dir, path, 'index.html');
}

export function readBuiltPage(path: string, dir: string = clientDir): string {
  return readFileSync(builtFileFor(path, dir), 'utf8');
}
