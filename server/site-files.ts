import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, runtimePaths } from './paths.ts';

export { projectRoot };
export const clientDir = runtimePaths.clientDir;
export const serverEntry = runtimePaths.serverEntry;

const fallbackPages: Record<string, string> = {
  '404.html':
    '<!doctype html><html lang="en-GB"><title>Page not found</title><h1>Page not found</h1><p>If you need help now, call 999 or Samaritans on 116 123.</p></html>',
  '500.html':
    '<!doctype html><html lang="en-GB"><title>Something went wrong</title><h1>Something went wrong</h1><p>If you need help now, call 999 or Samaritans on 116 123.</p></html>',
};

const cache = new Map<string, string>();

/** A prerendered page from the Astro build, read once; a plain fallback keeps error paths working before a build. */
export function builtPage(name: '404.html' | '500.html' | string, dir = clientDir): string {
  const key = join(dir, name);
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const html = existsSync(key) ? readFileSync(key, 'utf8') : (fallbackPages[name] ?? fallbackPages['500.html']!);
  cache.set(key, html);
  return html;
}
