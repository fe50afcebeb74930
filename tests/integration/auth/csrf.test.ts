import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { caseNotes } from '../../../db/schema/casework.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  StaffClient,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';

describe('CSRF and origin checks on every staff form', () => {
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  let member: TestStaffMember;
  let referralId: string;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    member = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
    referralId = insertSampleReferral(t.database.db, t.app.services.keyring, {
      receivedAt: new Date('2026-03-10T09:00:00Z'),
    }).id;
  });
  afterAll(async () => t.cleanup());

  const notesFor = () =>
    t.database.db.select().from(caseNotes).where(eq(caseNotes.referralId, referralId)).all().length;

  it('refuses a post with no token, a wrong token, a token from another session, or another origin', async () => {
    const client = await signedIn(t, member, clock, '10.2.0.1');
    const otherSession = await signedIn(t, member, clock, '10.2.0.2');
    const url = `/staff/referrals/${referralId}/notes`;
    const cases = [
      { name: 'no token', res: await client.post(url, { note: 'a' }, { csrf: null }) },
      { name: 'wrong token', res: await client.post(url, { note: 'b' }, { csrf: 'x'.repeat(43) }) },
      { name: "another session's token", res: await client.post(url, { note: 'c' }, { csrf: otherSession.csrf }) },
      { name: 'another origin', res: await client.post(url, { note: 'd' }, { origin: 'https://evil.example' }) },
      { name: 'no origin or referer', res: await client.post(url, { note: 'e' }, { origin: null }) },
    ];
    for (const { name, res } of cases) {
      expect(res.statusCode, name).toBe(403);
      expect(res.body, name).toContain('Your form could not be sent');
    }
    expect(notesFor()).toBe(0);
    const ok = await client.post(url, { note: 'f' });
    expect(ok.statusCode).toBe(303);
    expect(notesFor()).toBe(1);
  });

  it('binds the token to the session: a new sign-in means a new token', async () => {
    const first = await signedIn(t, member, clock, '10.2.1.1');
    const token = first.csrf;
    await first.post('/staff/sign-out');
    const second = await signedIn(t, member, clock, '10.2.1.1');
    expect(second.csrf).not.toBe(token);
    const stale = await second.post(`/staff/referrals/${referralId}/notes`, { note: 'stale' }, { csrf: token });
    expect(stale.statusCode).toBe(403);
  });

  it('protects the sign-in form too (no login CSRF)', async () => {
    const client = new StaffClient(t.app, { ip: '10.2.2.1' });
    await client.get('/staff/sign-in');
    const res = await client.post('/staff/sign-in', { email: member.email, password: member.password }, { csrf: null });
    expect(res.statusCode).toBe(403);
  });
});
