/**
 * WCAG 2.2 AA checks in a real browser: axe-core finds nothing on any page; keyboard focus is always
 * visible; the skip link works; and from any page a keyboard or screen reader user reaches crisis help
 * and the referral form in at most two steps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { axeFor } from '../helpers/axe.ts';
import { builtPages, launchBrowser, startServer, type RunningServer } from '../helpers/browser.ts';

const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const TABS_TO_CHECK = 15;
const pages = builtPages();

interface FocusInfo {
  description: string;
  /** Its whole text, trimmed (for finding a link by its words). */
  text: string;
  outline: boolean;
  shadow: boolean;
  inViewport: boolean;
}

describe('accessibility', () => {
  let browser: Browser;
  let server: RunningServer;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startServer()]);
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.close();
  });

  async function focused(): Promise<FocusInfo | null> {
    return page.evaluate(() => {
      const el = document.activeElement;
      if (!el || el === document.body) return null;
      const style = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      const outlineWidth = parseFloat(style.outlineWidth);
      return {
        description: `${el.tagName.toLowerCase()} "${(el.textContent ?? '').trim().slice(0, 40)}"`,
        text: (el.textContent ?? '').trim(),
        outline: style.outlineStyle !== 'none' && outlineWidth >= 2,
        shadow: style.boxShadow !== 'none' && style.boxShadow !== '',
        inViewport: rect.bottom > 0 && rect.top < innerHeight && rect.right > 0 && rect.left < innerWidth,
      };
    });
  }

  describe('axe-core (WCAG 2.0, 2.1 and 2.2, A and AA)', () => {
    it.each(pages)('%s has no violations', async (path) => {
      await page.goto(`${server.baseUrl}${path}`);
      const results = await axeFor(page).withTags(AXE_TAGS).analyze();
      const summary = results.violations.map(
        (v) => `${v.id} (${v.impact}): ${v.help} -> ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      );
      expect(summary).toEqual([]);
      // axe really ran its WCAG rules here (colour contrast among them).
      expect(results.passes.some((rule) => rule.id === 'color-contrast')).toBe(true);
    });

    it('would report a violation (so these tests can fail)', async () => {
      await page.setContent(
        '<!doctype html><html><body><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><a href="/x"></a></body></html>',
      );
      const results = await axeFor(page).withTags(AXE_TAGS).analyze();
      expect(results.violations.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'link-name']));
    });
  });

  describe('visible keyboard focus, and two steps to help', () => {
    // One walk through the first focus stops of each page checks both: every stop shows a visible focus indicator,
    // and "Get help now" and "Refer yourself" are among the first six (with "Exit this page" second).
    it.each(pages)(
      `%s: the first ${TABS_TO_CHECK} focus stops each show a visible focus indicator; "Get help now" and "Refer yourself" are among the first six and in the banner`,
      async (path) => {
        await page.goto(`${server.baseUrl}${path}`);
        const banner = page.getByRole('banner');
        expect(await banner.getByRole('link', { name: 'Get help now', exact: true }).count()).toBe(1);
        expect(await banner.getByRole('link', { name: 'Refer yourself', exact: true }).count()).toBe(1);
        const seen: FocusInfo[] = [];
        for (let i = 0; i < TABS_TO_CHECK; i++) {
          await page.keyboard.press('Tab');
          const info = await focused();
          if (!info) break;
          seen.push(info);
        }
        expect(seen.length).toBeGreaterThanOrEqual(8);
        const invisible = seen.filter((f) => !(f.outline || f.shadow) || !f.inViewport).map((f) => f.description);
        expect(invisible).toEqual([]);
        const firstSix = seen.slice(0, 6).map((f) => f.text);
        expect(firstSix).toContain('Get help now');
        expect(firstSix).toContain('Refer yourself');
        expect(firstSix.indexOf('Exit this page')).toBe(1);
      },
    );

    it('the check notices an element whose focus style was removed', async () => {
      await page.goto(`${server.baseUrl}/`);
      await page
        .addStyleTag({ content: 'a:focus-visible { outline: none !important; box-shadow: none !important; }' })
        .catch(() => undefined);
      // The CSP blocks injected <style>, so remove the indicator through the CSSOM instead.
      await page.evaluate(() => {
        const sheet = document.styleSheets[0]!;
        sheet.insertRule(
          'a:focus-visible, .skip-link:focus, .skip-link:focus-visible { outline: none !important; box-shadow: none !important; }',
          sheet.cssRules.length,
        );
      });
      await page.keyboard.press('Tab');
      const info = await focused();
      expect(info?.outline || info?.shadow).toBe(false);
    });
  });

  describe('skip link and step two to help', () => {
    it('the skip link is the first focus stop, becomes visible, and moves focus to the main content', async () => {
      await page.goto(`${server.baseUrl}/journey/going-to-court/`);
      await page.keyboard.press('Tab');
      const skip = page.locator('a.skip-link');
      expect(await skip.evaluate((el) => el === document.activeElement)).toBe(true);
      expect(await skip.isVisible()).toBe(true);
      const box = await skip.boundingBox();
      expect(box && box.x >= 0 && box.y >= 0 && box.height >= 24).toBe(true);
      await page.keyboard.press('Enter');
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('main');
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.querySelector('main')!.contains(document.activeElement))).toBe(true);
    });

    it('step two: following "Get help now" brings the crisis numbers into view', async () => {
      for (const path of ['/', '/journey/arrest-or-voluntary-interview/', '/privacy/']) {
        await page.goto(`${server.baseUrl}${path}`);
        await page.getByRole('banner').getByRole('link', { name: 'Get help now', exact: true }).focus();
        await page.keyboard.press('Enter');
        expect(new URL(page.url()).hash).toBe('#crisis-help');
        const heading = await page.locator('#crisis-help-heading').boundingBox();
        expect(heading && heading.y >= 0 && heading.y < 900, path).toBe(true);
        // The landmark and heading are exposed to assistive technology by name.
        expect(await page.getByRole(path === '/' ? 'region' : 'complementary', { name: 'Get help now' }).count()).toBe(
          1,
        );
      }
    });
  });
});
