import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import { staffUsers } from '../../../db/schema/staff.ts';
import { staffRecoveryCodes } from '../../../db/schema/auth.ts';
import { auditEvents } from '../../../db/schema/audit.ts';
import { totpCodeAt } from '../../../server/security/totp.ts';
import { useProductionScryptCostInThisTest } from '../../helpers/scrypt-cost.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  StaffClient,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';

const decode = (html: string) =>
  html
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"');

describe('staff administration and enrolment', () => {
  const clock = fixedClock('2026-03-10T10:00:00Z');
  let t: TestApp;
  let admin: TestStaffMember;
  let adminClient: StaffClient;

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    seedTestOffices(t.database.db);
    admin = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), { role: 'admin', name: 'Ada Admin' });
    adminClient = await signedIn(t, admin, clock, '10.3.0.1');
  });
  afterAll(async () => t.cleanup());

  async function addThroughPage(form: Record<string, string | string[]>) {
    await adminClient.get('/staff/admin/staff');
    return adminClient.post('/staff/admin/staff', form);
  }

  it('keeps what was typed and explains each problem when adding someone fails', async () => {
    const res = await addThroughPage({ name: 'Cara Caseworker', email: 'not-an-email', role: 'caseworker' });
    expect(res.statusCode).toBe(303);
    const page = await adminClient.get('/staff/admin/staff');
    expect(page.body).toContain('There is a problem');
    expect(page.body).toContain('Enter an email address like name@example.org.');
    expect(page.body).toContain('Choose at least one office');
    expect(page.body).toContain('value="Cara Caseworker"');
    expect(page.body).toContain('href="#field-email"');
  });

  it('adds someone, shows the enrolment link once, and lets them enrol: password, authenticator, recovery codes', async () => {
    // The stored hash is checked for the production cost (other tests hash at a cheaper cost).
    useProductionScryptCostInThisTest();
    const res = await addThroughPage({
      name: 'Cara Caseworker',
      email: 'Cara@SaferLives.test',
      role: 'caseworker',
      officeIds: ['leeds'],
    });
    expect(res.statusCode).toBe(200);
    const link = decode(/<code>(http[^<]+)<\/code>/.exec(res.body)![1]!);
    expect(link).toMatch(/^http:\/\/localhost\/staff\/enrol\?token=/);
    expect(res.body).toContain('shown only once');
    const url = new URL(link);
    const enrolPath = `${url.pathname}${url.search}`;
    const user = t.database.db.select().from(staffUsers).where(eq(staffUsers.email, 'cara@saferlives.test')).get()!;
    expect(user.status).toBe('invited');
    expect(user.enrolmentTokenHash).not.toContain(url.searchParams.get('token'));

    const newcomer = new StaffClient(t.app, { ip: '10.3.1.1' });
    const form = await newcomer.get(enrolPath);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<svg role="img"');
    const typedKey = /<p class="typed-key"><code>([A-Z2-7 ]+)<\/code>/.exec(form.body)![1]!.replace(/\s+/g, '');
    const token = url.searchParams.get('token')!;

    const short = await newcomer.post('/staff/enrol', { token, password: 'short', passwordConfirm: 'short', code: '' });
    expect(short.statusCode).toBe(422);
    expect(short.body).toContain('at least 12 characters');
    expect(short.body).toContain('Enter the 6-digit code');
    const common = await newcomer.post('/staff/enrol', {
      token,
      password: 'Password1234!',
      passwordConfirm: 'Password1234!',
      code: '123456',
    });
    expect(common.body).toContain('too common');
    const mismatch = await newcomer.post('/staff/enrol', {
      token,
      password: 'violet orbit harbour',
      passwordConfirm: 'violet orbit harbor',
      code: await totpCodeAt(typedKey, clock.now()),
    });
    expect(mismatch.body).toContain('do not match');

    clock.advance(30_000);
    const done = await newcomer.post('/staff/enrol', {
      token,
      password: 'violet orbit harbour',
      passwordConfirm: 'violet orbit harbour',
      code: await totpCodeAt(typedKey, clock.now()),
    });
    expect(done.statusCode).toBe(200);
    const codes = [...done.body.matchAll(/<code>([2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4}-[2-9A-Z]{4})<\/code>/g)].map(
      (m) => m[1],
    );
    expect(codes).toHaveLength(10);
    const stored = t.database.db.select().from(staffRecoveryCodes).where(eq(staffRecoveryCodes.staffId, user.id)).all();
    expect(stored).toHaveLength(10);
    expect(stored.every((row) => !codes.includes(row.codeHash))).toBe(true);
    const hash = t.database.db.select().from(staffUsers).where(eq(staffUsers.id, user.id)).get()!.passwordHash!;
    expect(hash).toMatch(/^scrypt\$17\$8\$1\$/);

    // The link works once.
    expect((await newcomer.get(enrolPath)).statusCode).toBe(410);

    clock.advance(30_000);
    const signIn = await new StaffClient(t.app, { ip: '10.3.1.2' }).signIn(
      { email: 'cara@saferlives.test', password: 'violet orbit harbour', totpSecret: typedKey },
      clock.now(),
    );
    expect(signIn.headers.location).toBe('/staff/my-work');
  }, 60_000); // production-cost hashes: about 0.3 s each on an idle core, far more on a busy machine

  it('expires an enrolment link after 24 hours', async () => {
    const res = await addThroughPage({
      name: 'Late Larry',
      email: 'larry@saferlives.test',
      role: 'manager',
      officeIds: ['manchester'],
    });
    const url = new URL(decode(/<code>(http[^<]+)<\/code>/.exec(res.body)![1]!));
    clock.advance(24 * 60 * 60_000 + 1000);
    const late = await new StaffClient(t.app, { ip: '10.3.2.1' }).get(`${url.pathname}${url.search}`);
    expect(late.statusCode).toBe(410);
    expect(late.body).toContain('expired or has already been used');
    adminClient = await signedIn(t, admin, clock, '10.3.0.1');
  });

  it('disables someone (ending their sessions at once), re-enables them, and changes role and offices', async () => {
    const member = await enrolStaff(t.database.db, t.app.services.keyring, clock.now(), {
      role: 'caseworker',
      name: 'Dan Disabled',
    });
    const theirs = await signedIn(t, member, clock, '10.3.3.1');
    adminClient = await signedIn(t, admin, clock, '10.3.0.1');
    const detail = await adminClient.get(`/staff/admin/staff/${member.id}`);
    expect(detail.body).toContain('Yes (1 session)');
    const disabled = await adminClient.post(`/staff/admin/staff/${member.id}/disable`);
    expect(disabled.statusCode).toBe(303);
    expect((await adminClient.get(String(disabled.headers.location))).body).toContain(
      'Account disabled. 1 session ended.',
    );
    expect((await theirs.get('/staff/account')).statusCode).toBe(303);

    const enabled = await adminClient.post(`/staff/admin/staff/${member.id}/enable`);
    expect((await adminClient.get(String(enabled.headers.location))).body).toContain('They can sign in again');

    const changed = await adminClient.post(`/staff/admin/staff/${member.id}/access`, {
      role: 'manager',
      officeIds: ['leeds', 'manchester'],
    });
    expect((await adminClient.get(String(changed.headers.location))).body).toContain('Role and offices saved');
    const audit = t.database.db.select().from(auditEvents).where(eq(auditEvents.action, 'staff_updated')).all().at(-1)!;
    expect(JSON.parse(audit.detail)).toEqual({
      role: { before: 'caseworker', after: 'manager' },
      officeIds: { before: ['leeds'], after: ['leeds', 'manchester'] },
    });

    const self = await adminClient.post(`/staff/admin/staff/${admin.id}/disable`);
    expect((await adminClient.get(String(self.headers.location))).body).toContain(
      'You cannot disable your own account',
    );
  });
});
