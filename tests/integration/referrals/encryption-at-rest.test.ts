import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { validAnswers } from '../../unit/referrals/fixtures.ts';
import { postForm, postJson, apiToken, REFERENCE, referralApp, showForm, type ReferralApp } from './http.ts';

let t: ReferralApp;
afterEach(async () => t?.cleanup());

/** What he typed that identifies him or describes his situation, in every form it could be stored in. */
const TYPED = [
  'Quentin Marchbanks',
  'Marchbanks',
  '0113 496 0321',
  '+441134960321',
  '1134960321',
  'quentin.marchbanks@example.org',
  'Zephyrine lighthouse',
  'Wharfedale Lane Surgery',
  'Otley LS21',
  'Bradford Council',
  '2026-09-14',
];

function fileText(path: string): string {
  // latin1 keeps every byte, so an ASCII or UTF-8 string in the file is found as-is.
  return readFileSync(path).toString('latin1');
}

function expectNoneOf(haystack: string, where: string): void {
  for (const needle of TYPED) {
    expect(haystack.includes(needle), `"${needle}" found in ${where}`).toBe(false);
    expect(
      haystack.includes(Buffer.from(needle, 'utf16le').toString('latin1')),
      `"${needle}" (UTF-16) found in ${where}`,
    ).toBe(false);
  }
}

describe('encryption at rest', () => {
  it('keeps his name, phone, email, free text and other answers out of the database file and its WAL', async () => {
    t = await referralApp();
    const formToken = await showForm(t);
    const form = await postForm(t, { ...validAnswers(), formToken });
    expect(form.statusCode).toBe(200);
    const apiForm = await apiToken(t);
    const api = await postJson(t, { ...validAnswers(), formToken: apiForm });
    expect(api.statusCode).toBe(201);

    const dbPath = t.config.databasePath;
    const walPath = `${dbPath}-wal`;
    expect(existsSync(walPath)).toBe(true);
    expect(statSync(walPath).size).toBeGreaterThan(0);
    const wal = fileText(walPath);
    const main = fileText(dbPath);
    // The files do hold the referrals: the (not personal) reference and the routing columns are in clear.
    const reference = REFERENCE.exec(form.body)![0];
    expect(wal.includes(reference) || main.includes(reference)).toBe(true);
    expect(wal.includes('released_under_investigation') || main.includes('released_under_investigation')).toBe(true);
    expectNoneOf(wal, 'the WAL');
    expectNoneOf(main, 'the database file');

    // And after a checkpoint moves everything into the main file.
    t.database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
    expectNoneOf(fileText(dbPath), 'the database file after a checkpoint');
    expect(fileText(dbPath).includes(reference)).toBe(true);
  });
});
