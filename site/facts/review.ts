/**
 * Review state of every public page that states facts. One shape for both kinds of page:
 * Markdown pages carry it in their frontmatter (site/content/pages/*.md), the Astro pages that state
 * facts (home, what happens next, the leaflet, the referral page) carry it in site/facts/page-reviews.ts.
 * Pure functions only: "today" is always passed in.
 */
export const reviewerRoles = ['solicitor', 'safeguarding lead', 'clinician'] as const;
export type ReviewerRole = (typeof reviewerRoles)[number];
/** What `reviewedBy` may hold: the roles that have reviewed the page, or only "not yet reviewed". */
export const reviewedByValues = [...reviewerRoles, 'not yet reviewed'] as const;
export type ReviewedBy = (typeof reviewedByValues)[number];

export interface Source {
  title: string;
  url: string;
}

export interface ReviewMeta {
  /** When the page's facts were last checked against its sources. */
  lastChecked: Date;
  /** Who has reviewed it: roles, or ['not yet reviewed']. */
  reviewedBy: readonly ReviewedBy[];
  /** Who must review it before launch. */
  needsReviewBy: readonly ReviewerRole[];
  /** When it must be checked again. */
  nextReview: Date;
  sources: readonly Source[];
}

/** A calendar date (midnight UTC) from "2026-12-02" or a Date. */
export function calendarDate(value: string | Date): Date {
  const iso = value instanceof Date ? value.toISOString().slice(0, 10) : value;
  return new Date(`${iso}T00:00:00Z`);
}

/** True when the page is past its next review date on `today` (the review date itself is not past due). */
export function isPastDue(meta: Pick<ReviewMeta, 'nextReview'>, today: Date): boolean {
  return calendarDate(meta.nextReview).getTime() < calendarDate(today).getTime();
}

/** Roles that must review the page and have not yet done so. */
export function outstandingReviewers(meta: Pick<ReviewMeta, 'reviewedBy' | 'needsReviewBy'>): ReviewerRole[] {
  return meta.needsReviewBy.filter((role) => !meta.reviewedBy.includes(role));
}

/** Problems with a page's review metadata, as sentences (empty when it is fine). */
export function reviewProblems(meta: ReviewMeta): string[] {
  const problems: string[] = [];
  if (meta.sources.length === 0) problems.push('has no sources');
  if (meta.reviewedBy.length === 0) problems.push('reviewedBy is empty (use "not yet reviewed")');
  if (meta.reviewedBy.includes('not yet reviewed') && meta.reviewedBy.length > 1)
    problems.push('reviewedBy mixes "not yet reviewed" with reviewer roles');
  if (meta.needsReviewBy.length === 0) problems.push('needsReviewBy is empty');
  if (calendarDate(meta.nextReview).getTime() <= calendarDate(meta.lastChecked).getTime())
    problems.push('nextReview is not after lastChecked');
  return problems;
}

/** "a solicitor", "a solicitor and a clinician", "a safeguarding lead". */
export function rolesInWords(roles: readonly string[]): string {
  const named = roles.map((role) => (role === 'not yet reviewed' ? role : `a ${role}`));
  if (named.length <= 1) return named[0] ?? '';
  return `${named.slice(0, -1).join(', ')} and ${named[named.length - 1]}`;
}
