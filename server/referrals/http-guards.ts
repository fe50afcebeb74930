import type { IncomingHttpHeaders } from 'node:http';

/**
 * Cross-site form posts are refused. The public site sets no cookies, so this is not about stolen sessions:
 * it stops other sites making visitors' browsers send referrals (spam from many addresses, or a page that
 * quietly submits a form in someone's name).
 *
 * The decision, in order:
 * 1. `Sec-Fetch-Site` (sent by every current browser): allow `same-origin` and `none` (a person acting
 *    directly), refuse `same-site` and `cross-site`.
 * 2. Otherwise `Origin`: allow only our own origin. Note `Origin: null` is refused here; our pages use
 *    `no-referrer`, which makes browsers send `Origin: null`, but those browsers also send Sec-Fetch-Site.
 * 3. Neither header: allow. Browsers send at least one of them on a cross-site POST, so such a request comes
 *    from a program (an API client, a script, curl), which could set any header it liked anyway.
 */
export function isCrossSiteRequest(headers: IncomingHttpHeaders, ownOrigins: ReadonlySet<string>): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== '') return !(site === 'same-origin' || site === 'none');
  const origin = headers.origin;
  if (origin === undefined) return false;
  return !ownOrigins.has(origin);
}

/** Our origins: the configured public one, and the one this request was addressed to (for tests and local runs). */
export function ownOriginsFor(publicBaseUrl: string, protocol: string, host: string | undefined): Set<string> {
  const origins = new Set<string>([new URL(publicBaseUrl).origin]);
  if (host) origins.add(`${protocol}://${host}`);
  return origins;
}
