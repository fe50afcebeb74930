/**
 * "Never invent a phone number": every number the referral pages show comes from site/facts/crisis-lines.ts
 * (checked against the domain brief). This fails if a phone-number-like string, or a tel:/sms: link, is
 * written into the referral form's own source (site/components/referral/**, site/pages/refer/**), and checks
 * that the under-18 help names only lines from the data file. The site engineer's content test does the same
 * for the information pages and leaves these folders to this one.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../../server/site-files.ts';
import { crisisLines } from '../../../site/facts/crisis-lines.ts';
import { UNDER_18_LINE_IDS, under18Lines } from '../../../site/components/referral/under-18-help.ts';

const FOLDERS = ['site/components/referral', 'site/pages/refer'];

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? sourceFiles(full) : /\.(astro|ts|md|mjs|js)$/.test(name) ? [full] : [];
  });
}

const gap = '[\\s\\u00a0-]?';
/** Each crisis line's digits with any spacing ("116 123", "116123"), not inside a longer number. */
const crisisNumbers = crisisLines.map(
  (line) => new RegExp(`(?<![\\d])${line.number.replace(/\D/g, '').split('').join(gap)}(?![\\d])`),
);
const PHONE_LIKE: readonly RegExp[] = [
  ...crisisNumbers,
  // A UK number: 0 or +44, then 9 or 10 more digits in groups ("0800 1111" is 8 digits: also caught).
  new RegExp(`(?<![\\d])(?:0|\\+44${gap})\\d(?:${gap}\\d){6,9}(?![\\d])`),
  // Short numbers that are not crisis lines today but would be a number written by hand.
  /(?<![\d.])1\d{2}(?:[\s\u00a0]?\d{3})(?![\d])/,
  /\b(?:tel|sms):/i,
];

/**
 * Source files write a non-breaking space as \u00a0 as often as the character itself. A crisis line's id in
 * quotes ('nhs-111') is a reference to the data file, which is the point, so it is not a number.
 */
function phoneLike(text: string): string[] {
  let plain = text.replace(/\\u00a0/g, '\u00a0');
  for (const line of crisisLines) plain = plain.replaceAll(`'${line.id}'`, "''");
  return PHONE_LIKE.filter((re) => re.test(plain)).map((re) => re.source);
}

describe('no phone number is written into the referral pages', () => {
  it('the detector finds numbers written in the usual ways (so the test below can fail)', () => {
    expect(phoneLike("ids = ['nhs-111']")).toEqual([]);
    for (const sample of [
      '0800 1111',
      '0800\\u00a01111',
      "href: 'tel:08001111'",
      '116 123',
      'call 999',
      'text 85258',
      '+44 113 496 0321',
      '0113 496 0321',
      'tel:999',
    ]) {
      expect(phoneLike(sample), sample).not.toEqual([]);
    }
    for (const sample of [
      'about 10 minutes',
      'within {organisation.firstContactDays} days',
      'max-width: 41rem',
      'h1',
      '2026-11-29',
    ]) {
      expect(phoneLike(sample), sample).toEqual([]);
    }
  });

  const files = FOLDERS.flatMap((folder) => sourceFiles(join(projectRoot, folder)));

  it('has the referral sources to check', () => {
    expect(files.some((file) => file.endsWith('RiskHelp.astro'))).toBe(true);
    expect(files.some((file) => file.endsWith('under-18-help.ts'))).toBe(true);
    expect(files.some((file) => file.endsWith('index.astro'))).toBe(true);
  });

  it.each(FOLDERS)('%s has no phone number or tel:/sms: link of its own', (folder) => {
    const offenders = files
      .filter((file) => file.startsWith(join(projectRoot, folder)))
      .flatMap((file) => {
        return phoneLike(readFileSync(file, 'utf8')).map(
          (pattern) => `${relative(projectRoot, file)} matches ${pattern}`,
        );
      });
    expect(offenders).toEqual([]);
  });
});

describe('help for under-18s', () => {
  it('names only lines from site/facts/crisis-lines.ts, the very same entries (not copies)', () => {
    expect(under18Lines.map((line) => line.id)).toEqual([...UNDER_18_LINE_IDS]);
    for (const line of under18Lines) expect(crisisLines).toContain(line);
  });
});
