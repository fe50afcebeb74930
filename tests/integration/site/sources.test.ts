/**
 * Sources a reader can trust, and every page that states facts carries them with a "last checked" date:
 * - no source (frontmatter, site/facts/page-reviews.ts, the crisis lines) and no external link on a built page
 *   is on the deny list (mirrors, scraped copies, hosting addresses, forum posts): site/facts/source-policy.ts;
 * - every public page (including home, what happens next, the leaflet and the referral page) has a Sources
 *   section and a "Last checked" date, and says who has and has not reviewed it.
 * Each rule is also run against a page made to break it, so the test is known to fail when it should.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deniedSourceReason, deniedSources } from '../../../site/facts/source-policy.ts';
import { astroPageReviews } from '../../../site/facts/page-reviews.ts';
import { crisisLines } from '../../../site/facts/crisis-lines.ts';
import { reviewProblems, isPastDue, outstandingReviewers, calendarDate } from '../../../site/facts/review.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { attributeValues, builtPages, readBuiltPage, sourcePages, sourcesAndDateProblems, textOf } from './support.ts';

const markdown = sourcePages();
/** Error pages state no facts: they only offer crisis help (from the crisis-lines data, which cites its sources). */
const noFacts = new Set(['/404.html', '/500.html']);
const factPages = builtPages().filter((p) => !noFacts.has(p));

describe('the deny list', () => {
  it.each([
    'https://docplayer.net/amp/11774577-Indecent-photographs-of-children.html',
    'https://dokumen.tips/documents/safety-planning-intervention.html',
    'https://docest.com/doc/610945/suicide-ideation',
    'https://studylib.net/doc/8220072/adult-hope-scale',
    'https://pubcompare.ai/protocol/NuN91YwB4C3bMWOeevSj',
    'https://d33gy59ovltp76.cloudfront.net/news/nhs-data-breach',
    'https://probationmatters.blogspot.com/2018/01/guest-blog-68.html',
    'https://policestationrepuk.org/Blog/sentencing-act-2026-key-changes',
    'https://legalize.dev/uk/law/ukpga-2026-2',
    'https://info.5y1.org/what-are-my-future-goals_1_eac78f.html',
    'https://production.copweb.aws.college.police.uk/support-forces/practices/safer-lives',
    'https://wyppnldlive.powerappsportals.com/article/?id=02d55330',
    'https://fly1.wordsworth.site/government/publications/dbs-guidance-leaflets/x',
    'https://www.frg.org.uk/ParentsForum/viewtopic.php?f=16&p=11612',
    'https://get-help.stopitnow.org.uk/family-and-friends/family-and-friends-forum/topic/5684',
    'https://feeds.bbci.co.uk/news/uk-england-essex-47214268',
    'https://example.org/forum/some-thread',
  ])('refuses %s', (url) => {
    expect(deniedSourceReason(url)).toBeDefined();
  });

  it.each([
    'https://www.legislation.gov.uk/ukpga/2003/42/schedule/3',
    'https://www.cps.gov.uk/legal-guidance/indecent-and-prohibited-images-children',
    'https://www.gov.uk/report-child-abuse',
    'https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/',
    'https://www.stopitnow.org.uk/helpline/',
    'https://frg.org.uk/',
    'https://www.college.police.uk/support-forces/practices/safer-lives',
  ])('allows %s', (url) => {
    expect(deniedSourceReason(url)).toBeUndefined();
  });

  it('refuses addresses that are not web addresses', () => {
    expect(deniedSourceReason('not a url')).toBeDefined();
    expect(deniedSourceReason('ftp://legislation.gov.uk/')).toBeDefined();
  });

  it('lists a reason for every denied host', () => {
    for (const denied of deniedSources) expect(denied.reason.length, denied.host).toBeGreaterThan(0);
  });
});

describe('every source the site cites', () => {
  const all = [
    ...markdown.flatMap((page) => page.data.sources.map((s) => ({ where: page.file, url: s.url }))),
    ...astroPageReviews.flatMap((page) => page.sources.map((s) => ({ where: page.path, url: s.url }))),
    ...crisisLines.map((line) => ({ where: `crisis line ${line.id}`, url: line.sourceUrl })),
  ];

  it('is not on the deny list', () => {
    const denied = all.flatMap(({ where, url }) => {
      const reason = deniedSourceReason(url);
      return reason ? [`${where}: ${url} (${reason})`] : [];
    });
    expect(all.length).toBeGreaterThan(100);
    expect(denied).toEqual([]);
  });

  it.each(factPages)('%s links to no denied address anywhere on the page', (path) => {
    const external = attributeValues(readBuiltPage(path), 'href').filter((h) => /^https?:\/\//.test(h));
    expect(external.filter((h) => deniedSourceReason(h) !== undefined)).toEqual([]);
  });
});

describe('review metadata', () => {
  it.each([...markdown.map((p) => [p.file, p.data] as const), ...astroPageReviews.map((p) => [p.path, p] as const)])(
    '%s has consistent review metadata',
    (_where, meta) => {
      expect(reviewProblems(meta)).toEqual([]);
    },
  );

  it('catches bad review metadata', () => {
    const good = {
      lastChecked: calendarDate('2026-12-02'),
      reviewedBy: ['not yet reviewed'] as const,
      needsReviewBy: ['solicitor'] as const,
      nextReview: calendarDate('2027-03-02'),
      sources: [{ title: 'x', url: 'https://www.gov.uk/' }],
    };
    expect(reviewProblems(good)).toEqual([]);
    expect(reviewProblems({ ...good, sources: [] })).toContain('has no sources');
    expect(reviewProblems({ ...good, nextReview: calendarDate('2026-12-01') })).toContain(
      'nextReview is not after lastChecked',
    );
    expect(isPastDue(good, calendarDate('2027-03-02'))).toBe(false);
    expect(isPastDue(good, calendarDate('2027-03-03'))).toBe(true);
    expect(outstandingReviewers(good)).toEqual(['solicitor']);
    expect(outstandingReviewers({ ...good, reviewedBy: ['solicitor'] })).toEqual([]);
  });
});

describe('sources and a last-checked date on every page that states facts', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.cleanup());

  it('covers the pages the issue names', () => {
    for (const path of ['/', '/what-happens-next/', '/for-professionals/leaflet/']) expect(factPages).toContain(path);
  });

  it.each(factPages)('%s has sources and a last-checked date', (path) => {
    expect(sourcesAndDateProblems(readBuiltPage(path))).toEqual([]);
  });

  it('the referral page (rendered on request) has sources and a last-checked date', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/refer/' });
    expect(res.statusCode).toBe(200);
    expect(sourcesAndDateProblems(res.body)).toEqual([]);
    const review = astroPageReviews.find((p) => p.path === '/refer/')!;
    for (const source of review.sources) expect(res.body).toContain(`href="${source.url}"`);
  });

  it.each(astroPageReviews.filter((p) => p.path !== '/refer/').map((p) => [p.path, p] as const))(
    '%s shows the sources and review state from site/facts/page-reviews.ts',
    (path, review) => {
      const html = readBuiltPage(path);
      const section = /<section class="sources"[\s\S]*?<\/section>/.exec(html)![0];
      expect(attributeValues(section, 'href')).toEqual(review.sources.map((s) => s.url));
      expect(html).toContain(`datetime="${review.nextReview.toISOString().slice(0, 10)}"`);
      expect(textOf(html)).toContain('Still to be reviewed by');
    },
  );

  it('a page without sources, or without a date, fails', () => {
    const page = readBuiltPage('/about/');
    const withoutSources = page.replace(/<section class="sources"[\s\S]*?<\/section>/, '');
    expect(sourcesAndDateProblems(withoutSources)).toContain('no Sources section');
    const emptySources = page.replace(/(<section class="sources"[\s\S]*?<ol>)[\s\S]*?(<\/ol>)/, '$1$2');
    expect(sourcesAndDateProblems(emptySources)).toContain('a Sources section with no sources');
    const withoutDate = page.replaceAll(/Last checked: <time/g, 'Checked: <time');
    expect(sourcesAndDateProblems(withoutDate)).toContain('no "Last checked" date');
  });
});
