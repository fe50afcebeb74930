/**
 * Shared reading of the site's sources for the site tests: the Markdown pages with their frontmatter
 * (parsed independently of Astro, so the tests check the build against the source of truth).
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { projectRoot } from '../../../server/site-files.ts';
import type { ReviewedBy, ReviewerRole } from '../../../site/facts/review.ts';

export { builtPages, builtFileFor, readBuiltPage, clientDir } from '../../e2e/helpers/built-site.ts';

export const contentDir = join(projectRoot, 'site/content/pages');

export interface Frontmatter {
  title: string;
  summary: string;
  lastChecked: Date;
  reviewedBy: ReviewedBy[];
  needsReviewBy: ReviewerRole[];
  nextReview: Date;
  nations: string[];
  section: 'journey' | 'support' | 'about' | 'legal';
  order: number;
  stageLabel?: string;
  sources: Array<{ title: string; url: string }>;
}

export interface SourcePage {
  id: string;
  file: string;
  data: Frontmatter;
  body: string;
  /** Where the site serves it. */
  path: string;
}

export function sourcePages(): SourcePage[] {
  return readdirSync(contentDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const file = join(contentDir, name);
      const text = readFileSync(file, 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
      if (!match) throw new Error(`${name} has no frontmatter`);
      const raw = parseYaml(match[1]!) as Record<string, unknown>;
      const date = (value: unknown) => (value instanceof Date ? value : new Date(`${String(value)}T00:00:00Z`));
      const data = {
        ...raw,
        lastChecked: date(raw.lastChecked),
        nextReview: date(raw.nextReview),
      } as Frontmatter;
      const id = name.slice(0, -3);
      return { id, file, data, body: match[2]!, path: data.section === 'journey' ? `/journey/${id}/` : `/${id}/` };
    });
}

/** The value of every `attr="..."` in the HTML (attribute values are always double-quoted in Astro output). */
export function attributeValues(html: string, attr: string): string[] {
  const re = new RegExp(`\\s${attr}="([^"]*)"`, 'g');
  return Array.from(html.matchAll(re), (m) => decodeEntities(m[1]!));
}

export function decodeEntities(text: string): string {
  return text
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, dec: string) => String.fromCodePoint(Number(dec)))
    .replace(/&nbsp;/g, '\u00a0')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Visible text of an HTML fragment, roughly: tags removed, entities decoded, whitespace (and nbsp) collapsed. */
export function textOf(html: string): string {
  const blocks =
    /<\/?(?:p|li|h[1-6]|div|section|br|td|th|tr|ul|ol|nav|header|footer|main|aside|title|text|desc|table|article|figure|figcaption|dd|dt|dl|blockquote|body|head)\b[^>]*>/gi;
  return decodeEntities(
    html
      .replace(/<script[\s\S]*?<\/script>/g, ' ')
      .replace(blocks, ' ')
      .replace(/<[^>]+>/g, ''),
  )
    .replace(/[\s\u00a0]+/g, ' ')
    .trim();
}

/** The outer HTML of the first element with this id (same tag name nesting is handled). */
export function elementById(html: string, id: string): string | undefined {
  const open = new RegExp(
    `<([a-zA-Z][a-zA-Z0-9-]*)\\b[^>]*\\sid="${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>`,
  ).exec(html);
  if (!open) return undefined;
  const tag = open[1]!;
  const re = new RegExp(`<${tag}\\b[^>]*>|</${tag}>`, 'g');
  re.lastIndex = open.index;
  let depth = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    depth += m[0].startsWith('</') ? -1 : 1;
    if (depth === 0) return html.slice(open.index, m.index + m[0].length);
  }
  return undefined;
}

/**
 * Why a built public page fails the "facts need sources and a date" rule, or [] when it passes:
 * it must have a Sources section listing at least one link, and a "Last checked" date in a <time> element.
 */
export function sourcesAndDateProblems(html: string): string[] {
  const problems: string[] = [];
  const section = /<section class="sources"[\s\S]*?<\/section>/.exec(html)?.[0];
  if (!section) problems.push('no Sources section');
  else if (attributeValues(section, 'href').filter((h) => /^https?:\/\//.test(h)).length === 0)
    problems.push('a Sources section with no sources');
  if (!/Last checked: <time datetime="\d{4}-\d{2}-\d{2}">/.test(html)) problems.push('no "Last checked" date');
  return problems;
}
