/**
 * Every internal link and anchor in the built site resolves: each href="/..." (and src="/...") names a
 * built page or file, and each #fragment names an element id on the target page.
 * Routes rendered on request by the app (not prerendered) are checked through the real app instead.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { attributeValues, builtFileFor, builtPages, clientDir } from './support.ts';

/** Pages rendered on request by the app rather than prerendered: /refer/ is the self-referral form. */
const serverRendered = new Set(['/refer/']);

function idsIn(html: string): Set<string> {
  return new Set(attributeValues(html, 'id'));
}

/** Resolves a same-origin path to a built file, or undefined. */
function builtTarget(path: string): string | undefined {
  const clean = decodeURIComponent(path.split('?')[0]!);
  if (clean.includes('..')) return undefined;
  const file = join(clientDir, clean);
  if (existsSync(file) && statSync(file).isFile()) return file;
  const index = join(clientDir, clean, 'index.html');
  if (clean.endsWith('/') && existsSync(index)) return index;
  return undefined;
}

interface Link {
  from: string;
  href: string;
}

const pages = builtPages();
const htmlByPage = new Map(pages.map((p) => [p, readFileSync(builtFileFor(p), 'utf8')]));
const links: Link[] = [];
for (const [from, html] of htmlByPage) {
  for (const href of [...attributeValues(html, 'href'), ...attributeValues(html, 'src')]) {
    if (href.startsWith('/') && !href.startsWith('//')) links.push({ from, href });
    else if (href.startsWith('#')) links.push({ from, href: `${from}${href}` });
  }
}

describe('internal links and anchors', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.cleanup());

  it('found links to check on every page', () => {
    for (const page of pages)
      expect(
        links.some((l) => l.from === page),
        page,
      ).toBe(true);
    expect(links.length).toBeGreaterThan(pages.length * 10);
  });

  it('every /path resolves to a built page or file, and every #fragment to an id there', () => {
    const broken: string[] = [];
    for (const { from, href } of links) {
      const [path, fragment] = href.split('#') as [string, string | undefined];
      if (serverRendered.has(path)) continue;
      const file = builtTarget(path);
      if (!file) {
        broken.push(`${from} -> ${href} (no such page)`);
        continue;
      }
      if (fragment) {
        const html = file.endsWith('.html') ? readFileSync(file, 'utf8') : '';
        if (!idsIn(html).has(decodeURIComponent(fragment))) broken.push(`${from} -> ${href} (no id "${fragment}")`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('a broken link or anchor would be caught', () => {
    expect(builtTarget('/no-such-page/')).toBeUndefined();
    expect(builtTarget('/about/')).toBeDefined();
    expect(idsIn(htmlByPage.get('/about/')!).has('no-such-id')).toBe(false);
  });

  it.each([...serverRendered])('%s answers through the app', async (path) => {
    const linked = links.some((l) => l.href.split('#')[0] === path);
    expect(linked).toBe(true);
    const res = await t.app.inject({ method: 'GET', url: path });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
  });

  it('every internal page is linked from somewhere, so nothing is orphaned', () => {
    const linkedPaths = new Set(links.map((l) => l.href.split('#')[0]));
    const orphans = pages.filter((p) => !p.endsWith('.html') && p !== '/' && !linkedPaths.has(p));
    expect(orphans).toEqual([]);
  });
});
