/**
 * Small pure helpers for rendering page metadata. Kept free of `astro:content` so the
 * integration tests can import them directly.
 */
export type Nation = 'england-and-wales' | 'scotland' | 'northern-ireland' | 'uk';

const nationNames: Record<Nation, string> = {
  'england-and-wales': 'England and Wales',
  scotland: 'Scotland',
  'northern-ireland': 'Northern Ireland',
  uk: 'the whole UK',
};

/** "England and Wales", "Scotland and Northern Ireland", "England and Wales, Scotland and Northern Ireland". */
export function nationsLabel(nations: readonly Nation[]): string {
  if (nations.includes('uk')) return nationNames.uk;
  const names = nations.map((n) => nationNames[n]);
  if (names.length <= 1) return names[0] ?? nationNames.uk;
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** True when the page covers only part of the UK, so readers elsewhere must be pointed to the differences. */
export function coversOnlyPartOfUk(nations: readonly Nation[]): boolean {
  return (
    !nations.includes('uk') &&
    !(nations.includes('england-and-wales') && nations.includes('scotland') && nations.includes('northern-ireland'))
  );
}

const longDate = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });

/** 29 November 2026. Frontmatter dates are calendar dates (midnight UTC), so format them in UTC. */
export function formatLongDate(date: Date): string {
  return longDate.format(date);
}

/** 2026-11-29, for the datetime attribute of <time>. */
export function isoDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

/** Public address of a content page: journey stages under /journey/, everything else at the top level. */
export function contentPageUrl(page: { id: string; data: { section: string } }): string {
  return page.data.section === 'journey' ? `/journey/${page.id}/` : `/${page.id}/`;
}

/** The heading that holds a page's Scotland and Northern Ireland differences, if it has one. */
export function otherNationsHeading<H extends { depth: number; slug: string; text: string }>(
  headings: readonly H[],
): H | undefined {
  return headings.find((h) => h.depth === 2 && /scotland|northern ireland/i.test(h.text));
}
