import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Synchronizer tokens without storage: the token is an HMAC of something only this browser's session has (the
 * session id hash, or for pages before sign-in a random value in its own cookie), keyed with SESSION_SECRET. A new
 * session id at sign-in therefore means a new token, and a token from one session is useless in another.
 */
export function csrfTokenFor(secret: string, binding: string): string {
  return createHmac('sha256', secret).update(`staff-csrf\u0000${binding}`, 'utf8').digest('base64url');
}

export function csrfTokenMatches(secret: string, binding: string, presented: unknown): boolean {
  if (typeof presented !== 'string' || presented.length === 0 || presented.length > 200) return false;
  const expected = Buffer.from(csrfTokenFor(secret, binding), 'utf8');
  const given = Buffer.from(presented, 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * The second layer: a state-changing request must come from our own origin. Browsers send Origin on every POST,
 * but as "null" when the page's referrer policy is no-referrer; then Sec-Fetch-Site (which pages cannot forge)
 * says whether the request came from our own origin, and failing that Referer. With none of them we refuse.
 */
export function isSameOrigin(
  allowedOrigin: string,
  origin: string | undefined,
  referer: string | undefined,
  secFetchSite?: string | undefined,
): boolean {
  if (origin !== undefined && origin !== '' && origin !== 'null') return origin === allowedOrigin;
  if (secFetchSite !== undefined && secFetchSite !== '') return secFetchSite === 'same-origin';
  if (referer) {
    try {
      return new URL(referer).origin === allowedOrigin;
    } catch {
      return false;
    }
  }
  return false;
}
