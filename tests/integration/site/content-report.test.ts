/**
 * npm run content:report: every page with its review state, sources and next review date, and a non-zero
 * exit when anything is past due. Runs the real script (tsx) and its exported function.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { contentReport } from '../../../scripts/content-report.ts';
import { calendarDate } from '../../../site/facts/review.ts';
import { astroPageReviews } from '../../../site/facts/page-reviews.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { sourcePages } from './support.ts';

const run = (...args: string[]) =>
  spawnSync(
    process.execPath,
    [join(projectRoot, 'node_modules/tsx/dist/cli.mjs'), 'scripts/content-report.ts', ...args],
    {
      cwd: projectRoot,
      encoding: 'utf8',
    },
  );

describe('content report', () => {
  const lastChecked = new Date(Math.max(...sourcePages().map((p) => p.data.lastChecked.getTime())));

  it('lists every Markdown page and every Astro page that states facts, with sources and review state', () => {
    const report = contentReport(lastChecked);
    const pages = report.map((p) => p.page);
    for (const page of sourcePages()) expect(pages).toContain(page.path);
    for (const page of astroPageReviews) expect(pages).toContain(page.path);
    for (const p of report) {
      expect(p.sources.length, p.page).toBeGreaterThan(0);
      expect(p.reviewedBy.length, p.page).toBeGreaterThan(0);
      expect(p.problems, p.page).toEqual([]);
    }
  });

  it('marks pages past their next review date', () => {
    const earliest = contentReport(lastChecked)
      .map((p) => p.nextReview)
      .sort()[0]!;
    const dayAfter = new Date(calendarDate(earliest).getTime() + 86_400_000);
    expect(contentReport(calendarDate(earliest)).filter((p) => p.pastDue)).toEqual([]);
    const due = contentReport(dayAfter).filter((p) => p.pastDue);
    expect(due.length).toBeGreaterThan(0);
    expect(due.every((p) => p.nextReview === earliest)).toBe(true);
  });

  it('prints the report and exits 0 when nothing is past due', () => {
    const result = run(`--today=${lastChecked.toISOString().slice(0, 10)}`);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('/journey/sentencing/');
    expect(result.stdout).toContain('Still to review: a solicitor');
    expect(result.stdout).toContain('https://www.legislation.gov.uk/ukpga/2026/2/section/1');
    expect(result.stdout).toMatch(/Past due: 0\./);
  });

  it('exits 1 and names the pages when something is past due', () => {
    const result = run('--today=2030-01-01');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('PAST DUE  /journey/sentencing/');
  });

  it('gives JSON with --json', () => {
    const result = run('--json', `--today=${lastChecked.toISOString().slice(0, 10)}`);
    const json = JSON.parse(result.stdout) as { pages: Array<{ page: string }> };
    expect(json.pages.length).toBe(sourcePages().length + astroPageReviews.length);
  });
});
