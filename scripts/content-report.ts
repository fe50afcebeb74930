/**
 * npm run content:report — per public page: its review state (who has reviewed it, who still must), its
 * next review date, its sources (flagging any on the deny list), and everything past due.
 * Reads the Markdown frontmatter (site/content/pages/*.md) and site/facts/page-reviews.ts, the same data the
 * site renders. Options: --today=YYYY-MM-DD (default: today), --json. Exit code 1 if any page is past due,
 * has no sources, or cites a denied source, so it can gate a release.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { astroPageReviews } from '../site/facts/page-reviews.ts';
import { crisisLines, crisisLinesReviewed } from '../site/facts/crisis-lines.ts';
import { deniedSourceReason } from '../site/facts/source-policy.ts';
import { projectRoot } from '../server/paths.ts';
import {
  calendarDate,
  isPastDue,
  outstandingReviewers,
  reviewProblems,
  rolesInWords,
  type ReviewMeta,
  type ReviewedBy,
  type ReviewerRole,
} from '../site/facts/review.ts';

const contentDir = join(projectRoot, 'site/content/pages');

export interface PageReport {
  page: string;
  file: string;
  lastChecked: string;
  nextReview: string;
  reviewedBy: readonly string[];
  stillToReview: readonly string[];
  pastDue: boolean;
  sources: Array<{ title: string; url: string; denied?: string }>;
  problems: string[];
}

function iso(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function markdownPages(): Array<ReviewMeta & { page: string; file: string }> {
  return readdirSync(contentDir)
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => {
      const text = readFileSync(join(contentDir, name), 'utf8');
      const match = /^---\n([\s\S]*?)\n---\n/.exec(text);
      if (!match) throw new Error(`${name} has no frontmatter`);
      const raw = parseYaml(match[1]!) as Record<string, unknown>;
      const id = name.slice(0, -3);
      return {
        page: raw.section === 'journey' ? `/journey/${id}/` : `/${id}/`,
        file: `site/content/pages/${name}`,
        lastChecked: calendarDate(raw.lastChecked as string | Date),
        nextReview: calendarDate(raw.nextReview as string | Date),
        reviewedBy: (raw.reviewedBy ?? []) as ReviewedBy[],
        needsReviewBy: (raw.needsReviewBy ?? []) as ReviewerRole[],
        sources: (raw.sources ?? []) as Array<{ title: string; url: string }>,
      };
    });
}

export function contentReport(today: Date): PageReport[] {
  const pages = [
    ...markdownPages(),
    ...astroPageReviews.map((p) => ({ ...p, page: p.path, file: 'site/facts/page-reviews.ts' })),
  ];
  return pages.map((p) => {
    const sources: PageReport['sources'] = p.sources.map((s) => {
      const denied = deniedSourceReason(s.url);
      return denied ? { ...s, denied } : { ...s };
    });
    return {
      page: p.page,
      file: p.file,
      lastChecked: iso(p.lastChecked),
      nextReview: iso(p.nextReview),
      reviewedBy: p.reviewedBy,
      stillToReview: outstandingReviewers(p),
      pastDue: isPastDue(p, today),
      sources,
      problems: [
        ...reviewProblems(p),
        ...sources.filter((s) => s.denied).map((s) => `denied source ${s.url} (${s.denied})`),
      ],
    };
  });
}

function main(): void {
  const args = process.argv.slice(2);
  const todayArg = args.find((a) => a.startsWith('--today='))?.slice('--today='.length);
  const today = todayArg ? calendarDate(todayArg) : calendarDate(new Date());
  const report = contentReport(today);
  if (args.includes('--json')) {
    console.log(JSON.stringify({ today: iso(today), pages: report }, null, 2));
  } else {
    console.log(`Content review report for ${iso(today)}\n`);
    for (const p of report) {
      console.log(`${p.pastDue ? 'PAST DUE  ' : ''}${p.page}  (${p.file})`);
      console.log(
        `  Last checked: ${p.lastChecked}   Next review: ${p.nextReview}${p.pastDue ? '  <-- past due' : ''}`,
      );
      const reviewed = p.reviewedBy.filter((r) => r !== 'not yet reviewed');
      console.log(`  Reviewed by: ${reviewed.length > 0 ? rolesInWords(reviewed) : 'not yet reviewed'}`);
      if (p.stillToReview.length > 0) console.log(`  Still to review: ${rolesInWords(p.stillToReview)}`);
      console.log(`  Sources (${p.sources.length}):`);
      for (const s of p.sources)
        console.log(`    - ${s.title}\n      ${s.url}${s.denied ? `  <-- DENIED: ${s.denied}` : ''}`);
      for (const problem of p.problems) console.log(`  PROBLEM: ${problem}`);
      console.log('');
    }
    console.log(
      `Crisis lines (site/facts/crisis-lines.ts): ${crisisLines.length} lines, last checked ${crisisLinesReviewed}.`,
    );
    const due = report.filter((p) => p.pastDue);
    const unreviewed = report.filter((p) => p.stillToReview.length > 0);
    const withProblems = report.filter((p) => p.problems.length > 0);
    console.log(`\n${report.length} pages. Past due: ${due.length}. Not yet fully reviewed: ${unreviewed.length}.`);
    if (due.length > 0) console.log(`Past due: ${due.map((p) => p.page).join(', ')}`);
    if (withProblems.length > 0) console.log(`With problems: ${withProblems.map((p) => p.page).join(', ')}`);
  }
  if (report.some((p) => p.pastDue || p.problems.length > 0)) process.exitCode = 1;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
