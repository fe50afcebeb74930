/**
 * The CSP allows no inline script or style (script-src 'self'; style-src 'self'), so no built page may
 * contain any: a <script> without src, a <style> element, a style="" attribute or an on*="" handler.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { builtFileFor, builtPages } from './support.ts';

export function inlineCodeProblems(html: string): string[] {
  const problems: string[] = [];
  for (const m of html.matchAll(/<script\b([^>]*)>/gi)) {
    if (!/\ssrc\s*=/i.test(m[1] ?? '')) problems.push(`inline <script${m[1]}>`);
  }
  if (/<style\b/i.test(html)) problems.push('<style> element');
  for (const m of html.matchAll(/<[a-zA-Z][^>]*>/g)) {
    const tag = m[0];
    if (/\sstyle\s*=/i.test(tag)) problems.push(`style attribute: ${tag.slice(0, 80)}`);
    const handler = /\s(on\w+)\s*=/i.exec(tag);
    if (handler) problems.push(`${handler[1]} handler: ${tag.slice(0, 80)}`);
  }
  return problems;
}

describe('no inline script or style in the built site', () => {
  it('the checker finds each kind of inline code (so the test below can fail)', () => {
    expect(inlineCodeProblems('<script>alert(1)</script>')).toHaveLength(1);
    expect(inlineCodeProblems('<script type="module">x()</script>')).toHaveLength(1);
    expect(inlineCodeProblems('<style>p{}</style>')).toHaveLength(1);
    expect(inlineCodeProblems('<p style="color:red">x</p>')).toHaveLength(1);
    expect(inlineCodeProblems('<path style="fill:#000" d="M0 0"/>')).toHaveLength(1);
    expect(inlineCodeProblems('<a href="/" onclick="go()">x</a>')).toHaveLength(1);
    expect(inlineCodeProblems('<script type="module" src="/_astro/a.js"></script><p data-style="x">one=1</p>')).toEqual(
      [],
    );
  });

  const pages = builtPages();

  it('has pages to check', () => {
    expect(pages.length).toBeGreaterThanOrEqual(20);
  });

  it.each(pages)('%s has no inline script, style or event handler', (path) => {
    const html = readFileSync(builtFileFor(path), 'utf8');
    expect(inlineCodeProblems(html)).toEqual([]);
  });

  it('loads its client script from /_astro as an external module', () => {
    const html = readFileSync(builtFileFor('/'), 'utf8');
    expect(html).toMatch(/<script type="module" src="\/_astro\/[^"]+\.js"><\/script>/);
  });
});
