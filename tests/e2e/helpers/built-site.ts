/**
 * The prerendered public site in dist/client, read straight from disk (no browser needed), so both the
 * browser tests and the integration tests over the built files can list and read pages.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { clientDir } from '../../../server/site-files.ts';

export { clientDir };

/** Every built HTML page, as the URL path the app serves it at. */
export function builtPages(dir: string = clientDir): string[] {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`No built site in ${dir}: run npm run build`);
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
