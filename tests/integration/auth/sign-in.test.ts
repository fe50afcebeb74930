import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { randomBytes, scrypt } from 'node:crypto';
import { staffSessions } from '../../../db/schema/auth.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import { verifyPassword } from '../../../server/security/passwords.ts';
import { useProductionScryptCostInThisTest } from '../../helpers/scrypt-cost.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { totpCodeAt } from '../../../server/security/totp.ts';
import { sha256Hex } from '../../../server/security/tokens.ts';
import { disableStaff } from '../../../server/staff/accounts.ts';
import { referralAssignments } from '../../../db/schema/casework.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  StaffClient,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';

const NOT_RECOGNISED = 'We could not sign you in with those details';

describe('staff sign-in', () => {
  const clock = fixedClock('2026-03-10T09:00:00Z');
  let t: TestApp;
  let caseworker: TestStaffMember;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    caseworker = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
  });
  afterAll(async () => t.cleanup());

  it('signs in with email, password and a code, then sets a strict httpOnly session cookie with a new id', async () => {
    clock.advance(30_000);
    const client = new StaffClient(t.app, { ip: '10.0.0.1' });
    const page = await client.get('/staff/sign-in');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['x-robots-tag']).toContain('noindex');
    expect(page.body).toContain('name="_csrf"');

    const step1 = await client.post('/staff/sign-in', {
      email: caseworker.email.toUpperCase(),
      password: caseworker.password,
    });
    expect(step1.statusCode).toBe(303);
    expect(step1.headers.location).toBe('/staff/sign-in/code');
    expect(client.cookies.has('sl_staff')).toBe(false);

    await client.get('/staff/sign-in/code');
    const step2 = await client.post('/staff/sign-in/code', {
      code: await totpCodeAt(caseworker.totpSecret, clock.now()),
    });
    expect(step2.statusCode).toBe(303);
    // A caseworker's start page is My work.
    expect(step2.headers.location).toBe('/staff/my-work');
    const cookie = String(
      ([] as string[]).concat(step2.headers['set-cookie'] ?? []).find((c) => c.startsWith('sl_staff=')),
    );
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    expect(cookie).toMatch(/Path=\//);
    const token = client.cookies.get('sl_staff')!;
    // Only the hash is stored.
    const row = t.database.db
      .select()
      .from(staffSessions)
      .where(eq(staffSessions.id, sha256Hex(token)))
      .get();
    expect(row?.staffId).toBe(caseworker.id);
    expect(t.database.db.select().from(staffSessions).where(eq(staffSessions.id, token)).get()).toBeUndefined();

    const account = await client.get('/staff/account');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain(caseworker.email);
    const audit = t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'sign_in')).all();
    expect(audit.some((e) => e.actorId === caseworker.id)).toBe(true);
  });

  it('marks the cookie Secure with the __Host- prefix behind https', async () => {
    const https = await buildTestApp({ clock, env: { PUBLIC_BASE_URL: 'https://portal.example' } });
    const res = await https.app.inject({ method: 'GET', url: '/staff/sign-in' });
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(/^__Host-sl_staff_csrf=/);
    expect(cookie).toMatch(/Secure/);
    await https.cleanup();
  });

  it('gives the same answer for an unknown email, a wrong password and a wrong code', async () => {
    const answers: string[] = [];
    const attempts = [
      { email: 'nobody@saferlives.test', password: caseworker.password, code: '123456' },
      { email: caseworker.email, password: 'wrong password entirely', code: null },
      { email: caseworker.email, password: caseworker.password, code: '000000' },
    ];
    for (const [index, attempt] of attempts.entries()) {
      clock.advance(30_000);
      const client = new StaffClient(t.app, { ip: `10.0.1.${index}` });
      await client.get('/staff/sign-in');
      const first = await client.post('/staff/sign-in', { email: attempt.email, password: attempt.password });
      // Whatever was typed, the next step is the code page.
      expect(first.statusCode).toBe(303);
      expect(first.headers.location).toBe('/staff/sign-in/code');
      await client.get('/staff/sign-in/code');
      const code = attempt.code ?? (await totpCodeAt(caseworker.totpSecret, clock.now()));
      const second = await client.post('/staff/sign-in/code', { code });
      expect(second.statusCode).toBe(401);
      expect(second.body).toContain(NOT_RECOGNISED);
      answers.push(second.body.replace(/name="_csrf" value="[^"]*"/, '').replace(/data-[a-z-]+="[^"]*"/g, ''));
    }
    expect(new Set(answers).size).toBe(1);
    const failed = t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'sign_in_failed')).all();
    expect(failed.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a code that has already been used (no replay)', async () => {
    clock.advance(30_000);
    const code = await totpCodeAt(caseworker.totpSecret, clock.now());
    const first = new StaffClient(t.app, { ip: '10.0.2.1' });
    expect((await first.signIn(caseworker, clock.now(), code)).statusCode).toBe(303);
    const second = new StaffClient(t.app, { ip: '10.0.2.2' });
    const replay = await second.signIn(caseworker, clock.now(), code);
    expect(replay.statusCode).toBe(401);
    expect(replay.body).toContain(NOT_RECOGNISED);
  });

  it('accepts a recovery code once', async () => {
    clock.advance(30_000);
    const recovery = caseworker.recoveryCodes[0]!;
    const client = new StaffClient(t.app, { ip: '10.0.3.1' });
    expect((await client.signIn(caseworker, clock.now(), recovery.toLowerCase())).headers.location).toBe(
      '/staff/my-work',
    );
    const again = new StaffClient(t.app, { ip: '10.0.3.2' });
    expect((await again.signIn(caseworker, clock.now(), recovery)).statusCode).toBe(401);
  });

  it('locks an account after repeated failures, with a growing lockout, without saying whether it exists', async () => {
    const member = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
    const lockedMessages: string[] = [];
    for (const email of [member.email, 'ghost@saferlives.test']) {
      let lockedAt = -1;
      for (let attempt = 0; attempt < 8 && lockedAt < 0; attempt++) {
        const client = new StaffClient(t.app, { ip: `10.0.4.${attempt}` });
        await client.get('/staff/sign-in');
        const first = await client.post('/staff/sign-in', { email, password: member.password });
        if (first.statusCode === 429) {
          lockedAt = attempt;
          lockedMessages.push(first.body.includes('too many attempts') ? 'locked' : 'other');
          break;
        }
        await client.get('/staff/sign-in/code');
        const res = await client.post('/staff/sign-in/code', { code: '999999' });
        if (res.statusCode === 303 && String(res.headers.location).includes('problem=locked')) {
          lockedAt = attempt;
          lockedMessages.push('locked');
        }
      }
      // Five free failures, then a lockout, for a real account and a made-up one alike.
      expect(lockedAt).toBe(5);
    }
    expect(lockedMessages).toEqual(['locked', 'locked']);

    // Even the right code is refused while locked.
    clock.advance(30_000);
    const blocked = new StaffClient(t.app, { ip: '10.0.4.200' });
    await blocked.get('/staff/sign-in');
    const res = await blocked.post('/staff/sign-in', { email: member.email, password: member.password });
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('Wait 1 minute');

    // After the first lockout ends, one more failure locks for longer (2 minutes).
    clock.advance(61_000);
    const retry = new StaffClient(t.app, { ip: '10.0.4.201' });
    await retry.get('/staff/sign-in');
    await retry.post('/staff/sign-in', { email: member.email, password: member.password });
    await retry.get('/staff/sign-in/code');
    const wrong = await retry.post('/staff/sign-in/code', { code: '111111' });
    expect(wrong.headers.location).toContain('problem=locked&minutes=2');

    // And once it ends, the right details work and reset the count.
    clock.advance(121_000);
    const ok = new StaffClient(t.app, { ip: '10.0.4.202' });
    expect((await ok.signIn(member, clock.now())).headers.location).toBe('/staff/my-work');
  });

  it('ends a session after 30 idle minutes and after 12 hours however active', async () => {
    const client = await signedIn(t, caseworker, clock, '10.0.5.1');
    clock.advance(29 * 60_000);
    expect((await client.get('/staff/account')).statusCode).toBe(200);
    clock.advance(29 * 60_000);
    expect((await client.get('/staff/account')).statusCode).toBe(200);
    clock.advance(30 * 60_000 + 1000);
    const idle = await client.get('/staff/account');
    expect(idle.statusCode).toBe(303);
    expect(idle.headers.location).toBe('/staff/sign-in?next=%2Fstaff%2Faccount&ended=idle');
    const notice = await client.get(String(idle.headers.location));
    expect(notice.body).toContain('not used for 30 minutes');

    const busy = await signedIn(t, caseworker, clock, '10.0.5.2');
    for (let i = 0; i < 12 * 3; i++) {
      clock.advance(20 * 60_000);
      const res = await busy.get('/staff/account');
      if (res.statusCode !== 200) {
        expect(i).toBe(35);
        expect(res.headers.location).toContain('ended=absolute');
        return;
      }
    }
    throw new Error('the session outlived its 12 hours');
  });

  it('signs out, and signs out everywhere', async () => {
    const laptop = await signedIn(t, caseworker, clock, '10.0.6.1');
    const phone = await signedIn(t, caseworker, clock, '10.0.6.2');
    const other = await signedIn(t, caseworker, clock, '10.0.6.3');

    const out = await other.post('/staff/sign-out');
    expect(out.statusCode).toBe(303);
    expect((await other.get('/staff/account')).statusCode).toBe(303);
    expect((await laptop.get('/staff/account')).statusCode).toBe(200);

    const everywhere = await laptop.post('/staff/sign-out-everywhere');
    expect(everywhere.headers.location).toBe('/staff/sign-in?notice=signed-out-everywhere');
    expect((await laptop.get('/staff/account')).statusCode).toBe(303);
    expect((await phone.get('/staff/account')).statusCode).toBe(303);
  });

  it('ends every session of someone who is disabled, at once', async () => {
    const member = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
    const client = await signedIn(t, member, clock, '10.0.7.1');
    expect((await client.get('/staff/account')).statusCode).toBe(200);
    disableStaff(t.database.db, member.id, null, clock.now());
    const res = await client.get('/staff/account');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toContain('/staff/sign-in');
    const again = new StaffClient(t.app, { ip: '10.0.7.2' });
    clock.advance(30_000);
    expect((await again.signIn(member, clock.now())).statusCode).toBe(401);
  });
});

describe('password hashes get stronger over time', () => {
  it('rehashes a password stored with weaker scrypt settings at the next successful sign-in', async () => {
    // Weaker than the production cost, which this test is about (other tests hash at a cheaper cost).
    useProductionScryptCostInThisTest();
    const clock = fixedClock('2026-03-10T09:00:00Z');
    const t = await buildTestApp({ clock });
    try {
      seedTestOffices(t.database.db);
      const member = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'caseworker' });
      // What an older release would have written: N=2^14.
      const weak = await new Promise<string>((resolve, reject) => {
        const salt = randomBytes(16);
        scrypt(member.password.normalize('NFKC'), salt, 64, { N: 2 ** 14, r: 8, p: 1 }, (error, key) =>
          error
            ? reject(error)
            : resolve(['scrypt', 14, 8, 1, salt.toString('base64'), key.toString('base64')].join('$')),
        );
      });
      t.database.db.update(staffUsers).set({ passwordHash: weak }).where(eq(staffUsers.id, member.id)).run();
      clock.advance(30_000);
      const res = await new StaffClient(t.app, { ip: '10.0.9.1' }).signIn(member, clock.now());
      expect(res.headers.location).toBe('/staff/my-work');
      const stored = t.database.db.select().from(staffUsers).where(eq(staffUsers.id, member.id)).get()!.passwordHash!;
      expect(stored).toMatch(/^scrypt\$17\$8\$1\$/);
      expect((await verifyPassword(stored, member.password)).ok).toBe(true);
    } finally {
      await t.cleanup();
    }
  }, 60_000); // production-cost hashes: about 0.3 s each on an idle core, far more on a busy machine
});

describe('where sign-in lands', () => {
  const clock = fixedClock('2026-03-10T09:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
  });
  afterAll(async () => t.cleanup());

  const enrol = (role: 'caseworker' | 'manager' | 'admin') =>
    enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
      role,
      ...(role === 'admin' ? {} : { officeIds: ['leeds'] }),
    });
  async function landing(member: TestStaffMember, ip: string) {
    clock.advance(30_000);
    return String((await new StaffClient(t.app, { ip }).signIn(member, clock.now())).headers.location);
  }

  it('sends a caseworker to My work, an administrator to the staff list, a manager to My work only when they carry referrals', async () => {
    const caseworker = await enrol('caseworker');
    const manager = await enrol('manager');
    const admin = await enrol('admin');
    expect(await landing(caseworker, '10.7.0.1')).toBe('/staff/my-work');
    expect(await landing(admin, '10.7.0.2')).toBe('/staff/admin/staff');
    expect(await landing(manager, '10.7.0.3')).toBe('/staff');

    const referral = insertSampleReferral(t.database.db, t.app.services.keyring, { receivedAt: clock.now() });
    t.database.db
      .insert(referralAssignments)
      .values({ referralId: referral.id, staffId: manager.id, assignedAt: clock.now(), assignedBy: manager.id })
      .run();
    expect(await landing(manager, '10.7.0.4')).toBe('/staff/my-work');
    // A closed referral is no longer work.
    t.database.db.update(referrals).set({ status: 'closed' }).where(eq(referrals.id, referral.id)).run();
    expect(await landing(manager, '10.7.0.5')).toBe('/staff');

    // Already signed in: the sign-in page sends them to their start page too.
    const again = await signedIn(t, caseworker, clock, '10.7.0.6');
    expect((await again.get('/staff/sign-in')).headers.location).toBe('/staff/my-work');
    // The inbox is still there for a caseworker who asks for it.
    expect((await again.get('/staff')).statusCode).toBe(200);
  });

  it('keeps the screen they were sent from (next) instead of the start page', async () => {
    const caseworker = await enrol('caseworker');
    clock.advance(30_000);
    const client = new StaffClient(t.app, { ip: '10.7.1.1' });
    await client.get('/staff/sign-in?next=%2Fstaff%2Faccount');
    await client.post('/staff/sign-in', {
      email: caseworker.email,
      password: caseworker.password,
      next: '/staff/account',
    });
    await client.get('/staff/sign-in/code');
    const done = await client.post('/staff/sign-in/code', {
      code: await totpCodeAt(caseworker.totpSecret, clock.now()),
    });
    expect(done.headers.location).toBe('/staff/account');
  });
});
