import type { Page } from 'playwright-core';
import { referralQuestions } from '../../../server/referrals/questions.ts';
import { MINIMUM_FILL_MS } from '../../../server/referrals/service.ts';
import type { RunningServer } from '../helpers/browser.ts';

/**
 * Fills the referral form the way a person would, question by question in form order (so with JavaScript the
 * follow-up questions have appeared by the time we reach them), driven by the question definitions.
 */
export async function fillReferral(page: Page, answers: Record<string, unknown>): Promise<void> {
  for (const question of referralQuestions) {
    const value = answers[question.id];
    if (value === undefined || value === '') continue;
    switch (question.kind) {
      case 'radios':
        await page.check(`input[name="${question.id}"][value="${String(value)}"]`);
        break;
      case 'checkboxes':
        for (const item of value as string[]) await page.check(`input[name="${question.id}"][value="${item}"]`);
        break;
      case 'confirm':
        await page.check(`#${question.id}`);
        break;
      default:
        await page.fill(`#${question.id}`, String(value));
    }
  }
}

/**
 * Lets the minimum fill time pass (bots are faster than this) before the form is sent: moves the server's clock on
 * rather than waiting five real seconds. The server still checks it: a form sent without this is turned away
 * (tests/integration/referrals/flood-guards.test.ts, service.test.ts).
 */
export function passMinimumFillTime(server: Pick<RunningServer, 'clock'>): void {
  server.clock.advance(MINIMUM_FILL_MS + 500);
}

export function referralCount(server: RunningServer): number {
  const row = server.app.services.db.$client.prepare('SELECT COUNT(*) AS n FROM referrals').get() as { n: number };
  return row.n;
}

/** What is kept in the browser: cookies, web storage and IndexedDB databases. */
export async function browserStorage(
  page: Page,
): Promise<{ cookies: string; local: number; session: number; indexedDb: number }> {
  return page.evaluate(async () => ({
    cookies: document.cookie,
    local: localStorage.length,
    session: sessionStorage.length,
    indexedDb: (await indexedDB.databases()).length,
  }));
}

export const REFERENCE = /SL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}/;
