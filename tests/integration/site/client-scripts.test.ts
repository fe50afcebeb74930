/**
 * The JavaScript the public pages load (and everything it imports) stores nothing and sends nothing:
 * no cookies, Web Storage or IndexedDB, no fetch, beacons, XHR or sockets. The browser tests confirm the
 * same at run time; this catches it in code paths a test might not trigger.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attributeValues, builtPages, clientDir, readBuiltPage } from './support.ts';

const forbidden =
  /localStorage|sessionStorage|document\.cookie|indexedDB|sendBeacon|XMLHttpRequest|WebSocket|EventSource|\bfetch\(/;

/** Every module reachable from the pages' <script src>, following static and dynamic imports. */
function loadedScripts(): Map<string, string> {
  const seen = new Map<string, string>();
  const queue = builtPages().flatMap((p) => attributeValues(readBuiltPage(p), 'src').filter((s) => s.endsWith('.js')));
  while (queue.length > 0) {
    const path = queue.pop()!;
    if (seen.has(path)) continue;
    const code = readFileSync(join(clientDir, path), 'utf8');
    seen.set(path, code);
    for (const m of code.matchAll(/(?:from|import)\s*\(?\s*["']\.\/([^"']+\.js)["']/g)) {
      queue.push(path.replace(/[^/]+$/, m[1]!));
    }
  }
  return seen;
}

describe('client scripts', () => {
  const scripts = loadedScripts();

  it('include the quick-exit code, reached through its loader', () => {
    expect([...scripts.values()].some((code) => code.includes('data-quick-exit'))).toBe(true);
  });

  it.each([...scripts.keys()])('%s stores and sends nothing', (path) => {
    expect(forbidden.exec(scripts.get(path)!)?.[0]).toBeUndefined();
  });

  it('the pattern catches storage and network use', () => {
    for (const bad of [
      'localStorage.setItem("a",1)',
      'document.cookie="a=1"',
      'navigator.sendBeacon(u)',
      'fetch("/x")',
      'indexedDB.open("x")',
    ]) {
      expect(forbidden.test(bad), bad).toBe(true);
    }
  });
});
