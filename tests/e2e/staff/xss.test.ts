/**
 * A referral whose every answer (and its reference, a note, an attempt note and the assignee's name) is an XSS
 * payload is shown as inert text in the inbox and in the record: no script runs, no element is injected. The
 * CSP would block inline script anyway, so the test looks at the DOM itself, not only at whether code ran.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { referralQuestions } from '../../../server/referrals/questions.ts';
import { encryptField } from '../../../server/security/field-encryption.ts';
import { caseNotes, contactAttempts, referralAssignments } from '../../../db/schema/casework.ts';
import { casenoteAad } from '../../../server/casework/types.ts';
import { enrolStaff } from '../../integration/backoffice/staff-client.ts';
import { signInInBrowser, startStaffServer, type StaffServer } from './staff-server.ts';

const payload = (tag: string) =>
  `"><img src=x onerror="window.__xss='${tag}'"><script>window.__xss='${tag}'</script><svg onload="window.__xss='${tag}'"></svg>'--></textarea><a href="javascript:window.__xss='${tag}'">x</a>`;

/** Staff names are at most 100 characters. */
const shortPayload = (tag: string) =>
  `"><img src=x onerror="window.__xss='${tag}'"><script>window.__xss='${tag}'</script>`;

describe('XSS payloads in a referral are inert', () => {
  let browser: Browser;
  let server: StaffServer;
  let referralId: string;
  let reference: string;
  const member = { email: '', password: '', totpSecret: '' };
  const dialogs: string[] = [];

  beforeAll(async () => {
    [browser, server] = await Promise.all([launchBrowser(), startStaffServer()]);
    const { db } = server.t.database;
    const keyring = server.t.app.services.keyring;
    const now = server.clock.now();
    const worker = await enrolStaff(db, keyring, now, {
      role: 'caseworker',
      officeIds: ['leeds'],
      name: shortPayload('staff-name'),
    });
    Object.assign(member, worker);
    // Every question the form has, whatever it is, holds a payload.
    const answers = Object.fromEntries(
      referralQuestions.map((q) => [q.id, q.kind === 'checkboxes' ? [payload(q.id)] : payload(q.id)]),
    );
    reference = payload('reference');
    const inserted = insertSampleReferral(db, keyring, {
      receivedAt: new Date(now.getTime() - 3_600_000),
      answers: answers as never,
      officeId: 'leeds',
      priority: 'today',
      reference,
    });
    referralId = inserted.id;
    const noteId = randomUUID();
    db.insert(caseNotes)
      .values({
        id: noteId,
        referralId,
        staffId: worker.id,
        bodyEnc: encryptField(keyring, payload('note'), casenoteAad('case_notes', noteId)),
        createdAt: now,
      })
      .run();
    const attemptId = randomUUID();
    db.insert(contactAttempts)
      .values({
        id: attemptId,
        referralId,
        staffId: worker.id,
        attemptedAt: now,
        channel: 'phone',
        outcome: 'no_answer',
        noteEnc: encryptField(keyring, payload('attempt'), casenoteAad('contact_attempts', attemptId)),
        createdAt: now,
      })
      .run();
    db.insert(referralAssignments)
      .values({ referralId, staffId: worker.id, assignedAt: now, assignedBy: worker.id })
      .run();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function assertInert(page: Page): Promise<void> {
    const state = await page.evaluate(() => ({
      xss: (window as unknown as { __xss?: string }).__xss ?? null,
      injectedImages: document.querySelectorAll('img[src="x"]').length,
      injectedSvgs: document.querySelectorAll('svg[onload]').length,
      inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
      javascriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
      text: document.body.innerText,
    }));
    expect(state.xss).toBeNull();
    expect(state.injectedImages).toBe(0);
    expect(state.injectedSvgs).toBe(0);
    expect(state.inlineScripts).toBe(0);
    expect(state.javascriptLinks).toBe(0);
    expect(dialogs).toEqual([]);
    return void state;
  }

  it('in the inbox and the record', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await signInInBrowser(page, server, member);
    expect(new URL(page.url()).pathname).toBe('/staff/my-work');
    await assertInert(page);
    await page.goto(`${server.baseUrl}/staff`);
    await assertInert(page);
    // The payload is there, as text.
    expect(await page.locator('main').innerText()).toContain(`<script>window.__xss='reference'</script>`);
    expect(await page.locator('main').innerText()).toContain(`window.__xss='staff-name'`);

    await page.goto(`${server.baseUrl}/staff/referrals/${referralId}`);
    expect(await page.locator('h1').innerText()).toContain(`<img src=x onerror="window.__xss='reference'">`);
    await assertInert(page);
    const text = await page.locator('main').innerText();
    for (const tag of [
      ...referralQuestions.filter((q) => q.kind === 'text' || q.kind === 'textarea').map((q) => q.id),
      'note',
      'attempt',
    ]) {
      expect(text, tag).toContain(`window.__xss='${tag}'`);
    }
    await context.close();
  });
});
