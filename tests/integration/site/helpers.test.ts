/** The site's build-time helpers: page metadata formatting, the timeline geometry and the leaflet QR code. */
import { describe, expect, it } from 'vitest';
import {
  contentPageUrl,
  coversOnlyPartOfUk,
  formatLongDate,
  isoDate,
  nationsLabel,
  otherNationsHeading,
} from '../../../site/components/lib/format.ts';
import { layoutTimeline } from '../../../site/components/lib/timeline.ts';
import { qrCodeSvg, referralUrl } from '../../../site/components/lib/qr.ts';
import { isCurrent } from '../../../site/components/lib/site.ts';

describe('page metadata', () => {
  it('names the nations a page covers', () => {
    expect(nationsLabel(['england-and-wales'])).toBe('England and Wales');
    expect(nationsLabel(['uk'])).toBe('the whole UK');
    expect(nationsLabel(['scotland', 'northern-ireland'])).toBe('Scotland and Northern Ireland');
    expect(nationsLabel(['england-and-wales', 'scotland', 'northern-ireland'])).toBe(
      'England and Wales, Scotland and Northern Ireland',
    );
    expect(coversOnlyPartOfUk(['england-and-wales'])).toBe(true);
    expect(coversOnlyPartOfUk(['uk'])).toBe(false);
    expect(coversOnlyPartOfUk(['england-and-wales', 'scotland', 'northern-ireland'])).toBe(false);
  });

  it('formats review dates the British way, whatever the local time zone', () => {
    expect(formatLongDate(new Date('2026-11-29T00:00:00Z'))).toBe('29 November 2026');
    expect(formatLongDate(new Date('2027-01-01T00:00:00Z'))).toBe('1 January 2027');
    expect(isoDate(new Date('2026-11-29T00:00:00Z'))).toBe('2026-11-29');
  });

  it('puts journey stages under /journey/ and other pages at the top level', () => {
    expect(contentPageUrl({ id: 'cautions', data: { section: 'journey' } })).toBe('/journey/cautions/');
    expect(contentPageUrl({ id: 'privacy', data: { section: 'legal' } })).toBe('/privacy/');
  });

  it("finds the page's own Scotland and Northern Ireland section", () => {
    const headings = [
      { depth: 2, slug: 'how-it-starts', text: 'How it starts' },
      { depth: 3, slug: 'scotland-detail', text: 'Scotland detail' },
      {
        depth: 2,
        slug: 'if-you-live-in-scotland-or-northern-ireland',
        text: 'If you live in Scotland or Northern Ireland',
      },
    ];
    expect(otherNationsHeading(headings)?.slug).toBe('if-you-live-in-scotland-or-northern-ireland');
    expect(otherNationsHeading(headings.slice(0, 2))).toBeUndefined();
  });

  it('marks the current section in the navigation', () => {
    expect(isCurrent('/what-happens-next/', '/journey/cautions/')).toBe(true);
    expect(isCurrent('/for-professionals/', '/for-professionals/leaflet/')).toBe(true);
    expect(isCurrent('/about/', '/about')).toBe(true);
    expect(isCurrent('/about/', '/accessibility/')).toBe(false);
  });
});

describe('timeline layout', () => {
  const stages = Array.from({ length: 12 }, (_, i) => ({ label: `Stage ${i + 1}`, href: `/journey/s${i}/` }));
  const t = layoutTimeline(stages);

  it('numbers the stages in order, top to bottom, without overlapping', () => {
    expect(t.stages.map((s) => s.number)).toEqual(stages.map((_, i) => i + 1));
    for (let i = 1; i < t.stages.length; i++) {
      expect(t.stages[i]!.boxY).toBeGreaterThanOrEqual(t.stages[i - 1]!.boxY + t.boxHeight);
    }
  });

  it('keeps everything inside the drawing, between the start and the end markers', () => {
    const last = t.stages[t.stages.length - 1]!;
    expect(t.start.cy).toBeLessThan(t.stages[0]!.boxY);
    expect(t.end.cy).toBeGreaterThan(last.boxY + t.boxHeight);
    expect(t.height).toBeGreaterThan(t.end.cy);
    expect(t.boxX + t.boxWidth).toBeLessThanOrEqual(t.width);
    expect(t.chevronX + 7).toBeLessThan(t.boxX + t.boxWidth);
  });

  it('gives each stage a tall enough target to tap', () => {
    // Drawn at 300 units across, the SVG is at least 288 px wide on a 320 px phone.
    expect(t.boxHeight * (288 / t.width)).toBeGreaterThanOrEqual(44);
  });

  it('refuses an empty journey', () => {
    expect(() => layoutTimeline([])).toThrow();
  });
});

describe('leaflet QR code', () => {
  it('points at /refer/ on PUBLIC_BASE_URL, defaulting to http://localhost:4321', () => {
    expect(referralUrl('https://portal.example')).toBe('https://portal.example/refer/');
    expect(referralUrl('https://portal.example/')).toBe('https://portal.example/refer/');
    expect(referralUrl(undefined)).toBe('http://localhost:4321/refer/');
    expect(referralUrl('')).toBe('http://localhost:4321/refer/');
  });

  it('is an SVG labelled as an image, with no style attribute', async () => {
    const svg = await qrCodeSvg('https://portal.example/refer/', 'QR code "to" the form & more');
    expect(
      svg.startsWith('<svg role="img" aria-label="QR code &quot;to&quot; the form &amp; more" class="qr-code" '),
    ).toBe(true);
    expect(svg).not.toMatch(/\sstyle=/);
    expect(svg).toMatch(/<path [^>]*d="M/);
    expect(await qrCodeSvg('https://other.example/refer/', 'x')).not.toBe(
      await qrCodeSvg('https://portal.example/refer/', 'x'),
    );
  });
});
