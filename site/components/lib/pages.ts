/** Queries over the "pages" content collection, shared by the page routes. */
import { getCollection, getEntry, type CollectionEntry } from 'astro:content';
import { contentPageUrl } from './format.ts';

export type PageEntry = CollectionEntry<'pages'>;

/** Journey stages in timeline order. Fails the build if two stages share an order. */
export async function journeyStages(): Promise<PageEntry[]> {
  const stages = (await getCollection('pages', (page) => page.data.section === 'journey')).sort(
    (a, b) => a.data.order - b.data.order,
  );
  const orders = new Set(stages.map((s) => s.data.order));
  if (orders.size !== stages.length) throw new Error('Two journey pages have the same order');
  return stages;
}

/** A content page by file name; fails the build if it is missing. */
export async function contentPage(id: string): Promise<PageEntry> {
  const entry = await getEntry('pages', id);
  if (!entry) throw new Error(`Missing content page site/content/pages/${id}.md`);
  return entry;
}

export function pageUrl(entry: PageEntry): string {
  return contentPageUrl(entry);
}
