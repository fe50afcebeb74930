/**
 * The built pages against their sources of truth: the Markdown frontmatter, site/facts/crisis-lines.ts,
 * site/facts/confidentiality.ts and site/facts/organisation.ts. Expected values are read from those files,
 * never written into the test.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { crisisLines, crisisLinesReviewed, urgentCrisisLines } from '../../../site/facts/crisis-lines.ts';
import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { projectRoot } from '../../../server/site-files.ts';
import { attributeValues, builtPages, elementById, readBuiltPage, sourcePages, textOf } from './support.ts';

const pages = builtPages();
const sources = sourcePages();
const journey = sources.filter((p) => p.data.section === 'journey').sort((a, b) => a.data.order - b.data.order);

/** Independent of the site's own formatter: "29 November 2026". */
function longDate(date: Date): string {
  const months = [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ];
  return `${date.getUTCDate()} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()}`;
}

const nbsp = (s: string) => s.replace(/[\s\u00a0]+/g, ' ');

describe('content pages', () => {
  it('has the 19 Markdown pages, 12 of them journey stages', () => {
    expect(sources.length).toBe(19);
    expect(journey.length).toBe(12);
  });

  it.each(sources.map((p) => [p.path, p] as const))('%s is built from its Markdown', (path, page) => {
    expect(pages).toContain(path);
    const html = readBuiltPage(path);
    const text = textOf(html);
    expect(textOf(/<title>([\s\S]*?)<\/title>/.exec(html)?.[1] ?? '')).toBe(
      `${page.data.title} | ${organisation.name}`,
    );
    expect(textOf(/<h1[^>]*>([\s\S]*?)<\/h1>/.exec(html)?.[1] ?? '')).toBe(page.data.title);
    // Last checked, next review and review state, from frontmatter.
    expect(text).toContain(`Last checked: ${longDate(page.data.lastChecked)}`);
    expect(html).toContain(`datetime="${page.data.lastChecked.toISOString().slice(0, 10)}"`);
    expect(text).toContain(`Next review due: ${longDate(page.data.nextReview)}`);
    if (page.data.reviewedBy.includes('not yet reviewed')) expect(text).toContain('Not yet reviewed by a professional');
    for (const role of page.data.needsReviewBy.filter((r) => !page.data.reviewedBy.includes(r)))
      expect(text).toMatch(new RegExp(`Still to be reviewed by [^.]*\\b${role}\\b`));
    // Sources, from frontmatter, as a list of links in order.
    const sourcesSection = /<section class="sources"[\s\S]*?<\/section>/.exec(html)?.[0];
    expect(sourcesSection, 'sources section').toBeDefined();
    const hrefs = attributeValues(sourcesSection!, 'href');
    expect(hrefs).toEqual(page.data.sources.map((s) => s.url));
    for (const s of page.data.sources) expect(nbsp(textOf(sourcesSection!))).toContain(nbsp(s.title));
  });

  it.each(journey.map((p) => [p.path, p] as const))(
    '%s says which nations it covers and links to its Scotland and Northern Ireland section',
    (path, page) => {
      expect(page.data.nations).toEqual(['england-and-wales']);
      const html = readBuiltPage(path);
      expect(textOf(html)).toContain('This page covers England and Wales.');
      const heading = /<h2 id="([^"]+)">If you live in Scotland or Northern Ireland<\/h2>/.exec(html);
      expect(heading, 'the Markdown section for Scotland and Northern Ireland').not.toBeNull();
      expect(html).toContain(`href="#${heading![1]}"`);
    },
  );

  it('pages for the whole UK say so', () => {
    for (const page of sources.filter((p) => p.data.nations.includes('uk'))) {
      expect(textOf(readBuiltPage(page.path)), page.path).toContain('This page covers the whole UK.');
    }
  });
});

describe('what happens next', () => {
  const html = readBuiltPage('/what-happens-next/');
  const svg = /<svg class="timeline"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';

  it('draws the journey as an SVG with a title and description, and no style attributes', () => {
    expect(svg).not.toBe('');
    expect(svg).toMatch(/<title id="timeline-title">[^<]+<\/title>/);
    expect(svg).toMatch(/<desc id="timeline-desc">[^<]+<\/desc>/);
    expect(svg).toContain('aria-labelledby="timeline-title"');
    expect(svg).not.toMatch(/\sstyle=/);
  });

  it('has one link per journey stage, in order, labelled with its stage label', () => {
    const stageLinks = Array.from(svg.matchAll(/<a href="([^"]+)"[^>]*>([\s\S]*?)<\/a>/g), (m) => ({
      href: m[1],
      text: textOf(m[2]!),
    }));
    expect(stageLinks.map((l) => l.href)).toEqual(journey.map((p) => p.path));
    stageLinks.forEach((link, i) => expect(link.text).toBe(`${i + 1} ${journey[i]!.data.stageLabel}`));
  });

  it('has the same stages as an ordered list (the text alternative)', () => {
    const list = /<ol class="stage-list">[\s\S]*?<\/ol>/.exec(html)?.[0] ?? '';
    expect(attributeValues(list, 'href')).toEqual(journey.map((p) => p.path));
    for (const page of journey) expect(textOf(list)).toContain(textOf(page.data.summary));
  });

  it('links each stage page back to the timeline with its position', () => {
    journey.forEach((page, i) => {
      const text = textOf(readBuiltPage(page.path));
      expect(text).toContain(`What happens next: stage ${i + 1} of ${journey.length}`);
      if (i > 0) expect(text).toContain(`Previous stage: ${journey[i - 1]!.data.stageLabel}`);
      if (i < journey.length - 1) expect(text).toContain(`Next stage: ${journey[i + 1]!.data.stageLabel}`);
    });
  });
});

describe('crisis help', () => {
  it.each(pages)(
    '%s has one crisis panel with the urgent numbers, quick exit, skip link and the one-step links',
    (path) => {
      const html = readBuiltPage(path);
      expect(attributeValues(html, 'id').filter((id) => id === 'crisis-help')).toHaveLength(1);
      const panel = elementById(html, 'crisis-help')!;
      for (const line of urgentCrisisLines) {
        expect(nbsp(textOf(panel))).toContain(line.number);
        if (line.tel) expect(panel).toContain(`href="${line.tel}"`);
      }
      expect(html).toMatch(/<a class="skip-link" href="#main">Skip to main content<\/a>/);
      expect(html).toMatch(/<main id="main"/);
      expect(html).toMatch(
        /<a class="quick-exit" href="https:\/\/www\.bbc\.co\.uk\/weather" rel="noreferrer"[^>]*>Exit this page<\/a>/,
      );
      expect(html.indexOf('class="quick-exit"')).toBeLessThan(html.indexOf('<main'));
      expect(html).toMatch(/<a [^>]*href="#crisis-help"[^>]*>Get help now<\/a>/);
      expect(html).toMatch(/<a [^>]*href="\/refer\/"[^>]*>Refer yourself<\/a>/);
      const footer = /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';
      for (const href of ['/privacy/', '/accessibility/', '/browsing-safely/'])
        expect(footer).toContain(`href="${href}"`);
      expect(footer).toContain(`mailto:${organisation.contactEmail}`);
    },
  );

  it('looking after yourself lists every crisis line with its number, hours and source', () => {
    const section = elementById(readBuiltPage('/looking-after-yourself/'), 'crisis-lines')!;
    expect(section).toBeDefined();
    const text = nbsp(textOf(section));
    for (const line of crisisLines) {
      expect(text).toContain(textOf(line.name));
      expect(text).toContain(line.number);
      expect(text).toContain(textOf(line.hours));
      if (line.tel) expect(section).toContain(`href="${line.tel}"`);
      expect(section).toContain(`href="${line.sourceUrl}"`);
    }
    expect(text).toContain(
      `We last checked these numbers on ${longDate(new Date(`${crisisLinesReviewed}T00:00:00Z`))}`,
    );
  });

  it('defines crisis numbers only in site/facts/crisis-lines.ts (public information site files)', () => {
    // The referral form and back office folders belong to other issues and are checked by their owners.
    const otherOwners = ['site/components/referral', 'site/pages/refer', 'site/pages/staff'].map((p) =>
      join(projectRoot, p),
    );
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const full = join(dir, name);
        if (otherOwners.includes(full)) continue;
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.(astro|ts|md|mjs|js|css)$/.test(name)) files.push(full);
      }
    };
    walk(join(projectRoot, 'site'));
    const source = join(projectRoot, 'site/facts/crisis-lines.ts');
    const patterns = crisisLines.flatMap((line) => {
      const digits = line.number.replace(/\D/g, '');
      // "116 123", "116123", "0800 58 58 58"...: digits with any spacing, not inside a longer number.
      const spaced = digits.split('').join('[\\s\\u00a0]?');
      return [new RegExp(`(?<![\\d])${spaced}(?![\\d])`)];
    });
    const offenders: string[] = [];
    for (const file of files) {
      if (file === source) continue;
      const text = readFileSync(file, 'utf8');
      for (const re of patterns)
        if (re.test(text)) offenders.push(`${relative(projectRoot, file)} matches ${re.source}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('about, fees and confidentiality', () => {
  const html = readBuiltPage('/about/');
  const text = nbsp(textOf(html));

  it('shows the confidentiality statement word for word, with its version', () => {
    const statement = elementById(html, 'confidentiality-statement')!;
    const statementText = nbsp(textOf(statement));
    expect(statementText).toContain(confidentialityStatement.title);
    for (const p of [...confidentialityStatement.paragraphs, ...confidentialityStatement.limits])
      expect(statementText).toContain(p);
    expect(statementText).toContain(confidentialityStatement.version);
  });

  it('shows the model notice: the statement is to be agreed with a solicitor', () => {
    expect(nbsp(textOf(elementById(html, 'confidentiality-statement')!))).toContain(
      confidentialityStatement.modelNotice,
    );
  });

  it('shows fees only when the organisation config has them', () => {
    if (organisation.fees === null) {
      expect(html).not.toContain('id="fees"');
      expect(text).not.toMatch(/\bFees\b/);
    } else {
      expect(html).toContain('id="fees"');
      expect(text).toContain(organisation.fees.text);
    }
  });
});

describe('home page', () => {
  const html = readBuiltPage('/');
  const text = nbsp(textOf(html));

  it('says who the service is for and what it offers, from the organisation config', () => {
    expect(text).toContain('online sexual offences');
    expect(text).toContain(`First contact within ${organisation.firstContactDays} days`);
    expect(text).toContain('One-to-one support');
    expect(text).toContain('Confidential, with honest limits');
    for (const office of organisation.offices) expect(text).toContain(office.city);
  });

  it('makes "Refer yourself" the main action and routes professionals and families', () => {
    const main = /<main[\s\S]*<\/main>/.exec(html)![0];
    expect(main).toMatch(/<a class="button button--large" href="\/refer\/">Refer yourself<\/a>/);
    expect(main).toMatch(
      /<a href="\/for-professionals\/">I&#39;m a professional<\/a>|<a href="\/for-professionals\/">I'm a professional<\/a>/,
    );
    expect(main).toMatch(/<a href="\/family-and-partners\/">I(&#39;|')m a family member or partner<\/a>/);
    // The crisis panel sits in the page, near the top.
    expect(main).toContain('id="crisis-help"');
  });
});

describe('error pages', () => {
  it.each([
    ['/404.html', 'Page not found'],
    ['/500.html', 'Something went wrong'],
  ])('%s offers crisis help', (path, heading) => {
    const html = readBuiltPage(path);
    expect(html).toContain(`<h1>${heading}</h1>`);
    const main = /<main[\s\S]*<\/main>/.exec(html)![0];
    expect(main).toContain('id="crisis-help"');
    expect(main).toContain('href="tel:999"');
    // Served at any address, so nothing may be relative.
    for (const value of [...attributeValues(html, 'href'), ...attributeValues(html, 'src')]) {
      expect(value, value).toMatch(/^(\/|#|https:|mailto:|tel:|sms:)/);
    }
  });
});

describe('leaflet', () => {
  const html = readBuiltPage('/for-professionals/leaflet/');

  it('has a QR code, generated at build time as SVG, that encodes the referral address it prints', async () => {
    const url = /<p class="leaflet__url" data-referral-url>([^<]+)<\/p>/.exec(html)?.[1];
    expect(url).toBeDefined();
    expect(new URL(url!).pathname).toBe('/refer/');
    expect(new URL(url!).origin).toBe(new URL(process.env.PUBLIC_BASE_URL || 'http://localhost:4321').origin);
    const svg = /<svg role="img"[^>]*class="qr-code"[\s\S]*?<\/svg>/.exec(html)?.[0];
    expect(svg).toBeDefined();
    expect(svg).not.toMatch(/\sstyle=/);
    expect(svg).toContain(`aria-label="QR code that opens our referral form at ${url}"`);
    // Same modules as a fresh code for that address: the code really encodes it.
    const expected = await QRCode.toString(url!, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    const modules = (s: string) => /<path stroke="#000000" d="([^"]+)"/.exec(s)?.[1];
    expect(modules(svg!)).toBe(modules(expected));
    const other = await QRCode.toString(`${url!}x`, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    expect(modules(svg!)).not.toBe(modules(other));
  });

  it('has an A4 print stylesheet', () => {
    const css = attributeValues(html, 'href')
      .filter((h) => h.endsWith('.css'))
      .map((h) => readFileSync(join(projectRoot, 'dist/client', h), 'utf8'))
      .join('\n');
    expect(css).toMatch(/@page\s*\{[^}]*size:\s*A4/);
    expect(css).toMatch(/@media print/);
  });

  it('carries the leaflet text and the urgent crisis numbers from the data files', () => {
    const text = nbsp(textOf(html));
    for (const line of organisation.leaflet.lines) expect(text).toContain(line);
    for (const line of urgentCrisisLines) expect(text).toContain(line.number);
  });
});
