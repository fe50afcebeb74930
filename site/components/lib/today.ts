/**
 * The one clock the static pages read, once, when they are built: the build date, or CONTENT_REVIEW_TODAY
 * (YYYY-MM-DD) to render as of another day. Used only to say whether a page is past its review date.
 */
export function buildDay(): Date {
  const fixed = process.env.CONTENT_REVIEW_TODAY;
  return fixed ? new Date(`${fixed}T00:00:00Z`) : new Date();
}
