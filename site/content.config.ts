import { defineCollection, z } from 'astro:content';
import { glob } from 'astro/loaders';

/**
 * The public information pages: one Markdown file per page in site/content/pages.
 * Journey pages (section "journey") are served at /journey/<id>/ and appear on the
 * "What happens next" timeline in `order`, labelled by `stageLabel`; all others at /<id>/.
 */
export const nationSchema = z.enum(['england-and-wales', 'scotland', 'northern-ireland', 'uk']);

export const pageSchema = z
  .object({
    title: z.string().min(1),
    summary: z.string().min(1),
    lastReviewed: z.coerce.date(),
    nations: z.array(nationSchema).min(1),
    section: z.enum(['journey', 'support', 'about', 'legal']),
    order: z.number().int().positive(),
    stageLabel: z.string().min(1).optional(),
    sources: z.array(z.object({ title: z.string().min(1), url: z.string().url() })).min(1),
  })
  .refine((page) => page.section !== 'journey' || page.stageLabel !== undefined, {
    message: 'Journey pages need a stageLabel for the timeline',
    path: ['stageLabel'],
  });

const pages = defineCollection({
  loader: glob({ pattern: '*.md', base: './site/content/pages' }),
  schema: pageSchema,
});

export const collections = { pages };
