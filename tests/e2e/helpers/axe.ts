/**
 * axe-core for browser tests: `axeFor(page).withTags(AXE_TAGS).analyze()` in place of
 * `new AxeBuilder({ page }).withTags(AXE_TAGS).analyze()`. The same axe-core version, rules and results, at less
 * than half the cost, because:
 * - it injects axe-core's minified build (580 KB) instead of the 1.3 MB readable one AxeBuilder uses by default:
 *   the same code, parsed in about half the time, and it is injected into every page checked;
 * - it runs `axe.run` in the page itself ("legacy mode") instead of `axe.runPartial` per frame and then
 *   `axe.finishRun` in a new blank page, which opens and closes a page and injects axe a second time for every
 *   check. The two differ only for cross-origin iframes, which our pages never have (no third-party content):
 *   `axeFor` refuses a page with any iframe, so the difference cannot go unnoticed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(join(dirname(require.resolve('axe-core')), 'axe.min.js'), 'utf8');

export function axeFor(page: Page): AxeBuilder {
  const frames = page.frames().length;
  if (frames > 1) {
    throw new Error(`${page.url()} has ${frames - 1} iframe(s): use new AxeBuilder({ page }) so axe checks them too`);
  }
  // resultTypes: every violating element in full; for passing rules only one example element each (the rule
  // ids are all still listed in `passes`), which spares serialising every element of the page that passed.
  return new AxeBuilder({ page, axeSource }).setLegacyMode().options({ resultTypes: ['violations'] });
}
