import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';
import type { Loader } from 'astro/loaders';
import { deniedSourceReason } from './facts/source-policy.ts';
import { reviewedByValues, reviewerRoles, isPastDue, reviewProblems, type ReviewMeta } from './facts/review.ts';
import { astroPageReviews } from './facts/page-reviews.ts';

/**
 * The public information pages: one Markdown file per page in site/content/pages.
 * Journey pages (section "journey") are served at /journey/<id>/ and appear on the
 * "What happens next" timeline in `order`, labelled by `stageLabel`; all others at /<id>/.
 *
 * Every page states when its facts were last checked (`lastChecked`), who has reviewed it (`reviewedBy`:
 * roles, or "not yet reviewed"), who must (`needsReviewBy`), when it is next due (`nextReview`) and its
 * sources, none of them on the deny list (site/facts/source-policy.ts): a denied source fails the build.
 * Loading the pages also warns, in the build output, about every page past its next review date.
 */
export const nationSchema = z.enum(['england-and-wales', 'scotland', 'northern-ireland', 'uk']);

export const sourceSchema = z.object({ title: z.string().min(1), url: z.string().url() }).superRefine((source, ctx) => {
  const reason = deniedSourceReason(source.url);
  if (reason) ctx.addIssue({ code: 'custom', message: `Source ${source.url} is not allowed (${reason})` });
});

export const pageSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().min(1),
    lastChecked: z.coerce.date(),
    reviewedBy: z.array(z.enum(reviewedByValues)).min(1),
    needsReviewBy: z.array(z.enum(reviewerRoles)).min(1),
    nextReview: z.coerce.date(),
    nations: z.array(nationSchema).min(1),
    section: z.enum(['journey', 'support', 'about', 'legal']),
    order: z.number().int().positive(),
    stageLabel: z.string().min(1).optional(),
    sources: z.array(sourceSchema).min(1),
  })
  .refine((page) => page.section !== 'journey' || page.stageLabel !== undefined, {
    message: 'Journey pages need a stageLabel for the timeline',
    path: ['stageLabel'],
  })
  .superRefine((page, ctx) => {
    for (const problem of reviewProblems(page)) ctx.addIssue({ code: 'custom', message: problem });
  });

/** "Today" for the review-date warning: the build's clock, or CONTENT_REVIEW_TODAY (YYYY-MM-DD) to check a date. */
function today(): Date {
  const fixed = process.env.CONTENT_REVIEW_TODAY;
  return fixed ? new Date(`${fixed}T00:00:00Z`) : new Date();
}

/** The glob loader, then a warning for each page (Markdown or Astro) past its next review date. */
function pagesLoader(): Loader {
  const inner = glob({ pattern: '*.md', base: './site/content/pages' });
  return {
    name: 'pages-with-review-dates',
    load: async (context) => {
      await inner.load(context);
      for (const page of astroPageReviews) {
        const problems = [
          ...reviewProblems(page),
          ...page.sources.flatMap((source) => {
            const reason = deniedSourceReason(source.url);
            return reason ? [`source ${source.url} is not allowed (${reason})`] : [];
          }),
        ];
        if (problems.length > 0) throw new Error(`site/facts/page-reviews.ts ${page.path}: ${problems.join('; ')}`);
      }
      const now = today();
      const reviewed: Array<{ label: string; meta: Pick<ReviewMeta, 'nextReview'> }> = [
        ...Array.from(context.store.values(), (entry) => ({
          label: `site/content/pages/${entry.id}.md`,
          meta: { nextReview: new Date(String(entry.data.nextReview)) },
        })),
        ...astroPageReviews.map((page) => ({ label: `${page.path} (site/facts/page-reviews.ts)`, meta: page })),
      ];
      for (const { label, meta } of reviewed) {
        if (isPastDue(meta, now))
          context.logger.warn(
            `${label} is past its review date (${meta.nextReview.toISOString().slice(0, 10)}): check its facts and sources, then update lastChecked and nextReview. See docs/content-review.md.`,
          );
      }
    },
  };
}

const pages = defineCollection({
  loader: pagesLoader(),
  schema: pageSchema,
});

export const collections = { pages };
