/**
 * Which web addresses may be cited as a source on the public site.
 * A source must be the publisher's own site: legislation, the CPS, the Sentencing Council, GOV.UK, the NHS,
 * the organisation that runs a helpline, a court, a regulator, or a named firm or charity writing on its own
 * site. Document mirrors, scraped copies, feed and hosting addresses, and forum posts are never sources.
 * Every source URL in frontmatter, site/facts/page-reviews.ts and site/facts/crisis-lines.ts is checked against
 * this list by the content schema (the build fails) and by tests/integration/site/sources.test.ts.
 */
export interface DeniedSource {
  /** Host, matched with any subdomain (e.g. "blogspot.com" matches "x.blogspot.com"). */
  host: string;
  /** Only addresses whose path starts with this (case-insensitive). */
  pathPrefix?: string;
  reason: string;
}

export const deniedSources: readonly DeniedSource[] = [
  { host: 'docplayer.net', reason: 'document mirror' },
  { host: 'dokumen.tips', reason: 'document mirror' },
  { host: 'docest.com', reason: 'document mirror' },
  { host: 'docslib.org', reason: 'document mirror' },
  { host: 'studylib.net', reason: 'document mirror' },
  { host: 'pubcompare.ai', reason: 'scraped copy' },
  { host: '5y1.org', reason: 'scraped copy' },
  { host: 'juristeca.com', reason: 'scraped copy of a court decision (cite the court or BAILII)' },
  { host: 'legalize.dev', reason: 'copy of legislation (cite legislation.gov.uk)' },
  { host: 'acthub.uk', reason: 'copy of legislation (cite legislation.gov.uk)' },
  { host: 'lawglobalhub.com', reason: 'copy of legislation (cite legislation.gov.uk)' },
  { host: 'policestationrepuk.org', reason: 'practitioner forum and blog aggregator' },
  { host: 'brainscape.com', reason: 'user-made flashcards' },
  { host: 'accountabilityindex.uk', reason: 'aggregator (cite the IOPC itself)' },
  { host: 'cloudfront.net', reason: 'hosting address, not the publisher' },
  { host: 'blogspot.com', reason: 'hosting address, not the publisher' },
  { host: 'powerappsportals.com', reason: 'hosting address, not the publisher' },
  { host: 'wordsworth.site', reason: 'mirror of GOV.UK on a hosting address' },
  { host: 'theapsgroup.scot', reason: 'hosting address (cite gov.scot)' },
  { host: 'cargodev.co.uk', reason: 'development hosting address' },
  { host: 'mondaq.com', reason: 'republished copy (cite the author firm)' },
  { host: 'aws.college.police.uk', reason: 'hosting address (cite www.college.police.uk)' },
  { host: 'feeds.bbci.co.uk', reason: 'feed address (cite www.bbc.co.uk)' },
  { host: 'pastebin.com', reason: 'anonymous paste' },
  { host: 'huggingface.co', reason: 'data set copy' },
  { host: 'githubusercontent.com', reason: 'raw file copy' },
  { host: 'frg.org.uk', pathPrefix: '/ParentsForum', reason: 'forum post' },
  {
    host: 'get-help.stopitnow.org.uk',
    pathPrefix: '/family-and-friends/family-and-friends-forum',
    reason: 'forum post',
  },
];

/** Paths that are forum posts on any host. */
const forumPath = /\/(forum|forums|viewtopic(\.php)?|community\/t)\b/i;

/** Why this address may not be cited, or undefined when it may. Unparseable addresses are refused too. */
export function deniedSourceReason(address: string): string | undefined {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    return 'not a valid address';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'not a web address';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  for (const denied of deniedSources) {
    const hostMatches = host === denied.host || host.endsWith(`.${denied.host}`);
    if (!hostMatches) continue;
    if (denied.pathPrefix && !url.pathname.toLowerCase().startsWith(denied.pathPrefix.toLowerCase())) continue;
    return `${denied.host}${denied.pathPrefix ?? ''}: ${denied.reason}`;
  }
  if (forumPath.test(url.pathname)) return 'forum post';
  return undefined;
}
