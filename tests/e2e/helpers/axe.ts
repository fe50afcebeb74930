/**
 * axe-core for browser tests: `axeFor(page).withTags(AXE_TAGS).analyze()` in place of
 * `new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()`. The same axe-core version, rules and results, at a
 * fraction of the cost, because:
 * - it uses axe-core's minified build (580 KB) instead of the 1.3 MB readable one AxeBuilder uses by default;
 * - it sends that source to the page once, only if the page does not have axe yet, where AxeBuilder sends it over
 *   the DevTools connection twice for every check (sending it costs more than running it). `withAxe(context)`
 *   goes further for a context whose pages are nearly all checked: Chromium itself puts axe into each of its pages
 *   as they load, so nothing is sent at all;
 * - it runs `axe.run` in the page itself ("legacy mode") instead of `axe.runPartial` per frame and then
 *   `axe.finishRun` in a new blank page, which opens and closes a page and injects axe a second time for every
 *   check. The two differ only for cross-origin iframes, which our pages never have (no third-party content):
 *   `axeFor` refuses a page with any iframe, so the difference cannot go unnoticed;
 * - for passing rules it asks for one example element each (resultTypes; every rule id is still listed in
 *   `passes`), sparing the serialisation of every element that passed; violations come in full.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { BrowserContext, Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

/** What AxeBuilder evaluates as "the axe source" before each check: axe is already in the page by then. */
const AXE_ALREADY_IN_PAGE = 'void 0';

class AxeInPageBuilder extends AxeBuilder {
  readonly #page: Page;

  constructor(page: Page) {
    super({ page, axeSource: AXE_ALREADY_IN_PAGE });
    this.#page = page;
  }

  override async analyze(): ReturnType<AxeBuilder['analyze']> {
    if (!(await this.#page.evaluate('typeof window.axe === "object"'))) await this.#page.evaluate(axeSource);
    return super.analyze();
  }
}

export function axeFor(page: Page): AxeBuilder {
  const frames = page.frames().length;
  if (frames > 1) {
    throw new Error(`${page.url()} has ${frames - 1} iframe(s): use new AxeBuilder({ page }) so axe checks them too`);
  }
  return new AxeInPageBuilder(page).setLegacyMode().options({ resultTypes: ['violations'] });
}

/** Every page of `context` gets axe-core as it loads (for contexts whose pages are nearly all checked). */
export async function withAxe(context: BrowserContext): Promise<BrowserContext> {
  await context.addInitScript({ content: axeSource });
  return context;
}
