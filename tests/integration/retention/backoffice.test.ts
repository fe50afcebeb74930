import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { fixedClock } from '../../../server/clock.ts';
import {
  enrolStaff,
  seedTestOffices,
  signedIn,
  type StaffClient,
  type TestStaffMember,
} from '../backoffice/staff-client.ts';
import { closedReferral } from './support.ts';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { recordContactHashes } from '../../../server/retention/returning.ts';
import { eraseReferral } from '../../../server/retention/erasure.ts';

const clock = fixedClock('2026-12-01T10:00:00Z');

describe('data lifecycle in the back office', () => {
  let t: TestApp;
  let caseworker: StaffClient;
  let manager: StaffClient;
  let admin: StaffClient;
  let managerMember: TestStaffMember;
  let referral: { id: string; reference: string; outboxId: string };

  beforeAll(async () => {
    t = await buildTestApp({ clock });
    const { db } = t.database;
    seedTestOffices(db);
    const keyring = t.app.services.keyring;
    const cw = await enrolStaff(db, keyring, clock.now(), { role: 'caseworker', officeIds: ['leeds'] });
    managerMember = await enrolStaff(db, keyring, clock.now(), { role: 'manager', officeIds: ['leeds'] });
    const ad = await enrolStaff(db, keyring, clock.now(), { role: 'admin', officeIds: [] });
    referral = closedReferral(db, keyring, {
      staffId: cw.id,
      receivedAt: new Date('2026-11-01T10:00:00Z'),
      closedAt: new Date('2026-11-10T10:00:00Z'),
      reason: 'declined',
    });
    caseworker = await signedIn(t, cw, clock, '10.5.0.1');
    manager = await signedIn(t, managerMember, clock, '10.5.0.2');
    admin = await signedIn(t, ad, clock, '10.5.0.3');
  });
  afterAll(async () => t.cleanup());

  const audited = (action: string) =>
    (t.database.sqlite.prepare('SELECT COUNT(*) AS n FROM audit_events WHERE action = ?').get(action) as { n: number })
      .n;

  it('refuses caseworkers every lifecycle action', async () => {
    const data = `/staff/referrals/${referral.id}`;
    expect((await caseworker.get(`${data}/data`)).statusCode).toBe(403);
    expect((await caseworker.get(`${data}/subject-access`)).statusCode).toBe(403);
    expect((await caseworker.get('/staff/admin/retention')).statusCode).toBe(403);
    await caseworker.get('/staff/account');
    expect(
      (await caseworker.post(`${data}/hold`, { kind: 'court_order', reason: 'x'.repeat(10), reviewBy: '2027-01-01' }))
        .statusCode,
    ).toBe(403);
    expect(
      (await caseworker.post(`${data}/erase`, { reason: 'his_request', confirm: referral.reference })).statusCode,
    ).toBe(403);
    expect(
      (await caseworker.post('/staff/admin/retention', { rule: 'declined', value: '1', unit: 'days' })).statusCode,
    ).toBe(403);
  });

  it('lets a manager place a hold, which blocks erasure and says why, and is listed and audited', async () => {
    const path = `/staff/referrals/${referral.id}/data`;
    const page = await manager.get(path);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Declined, not suitable or referred elsewhere');
    const bad = await manager.post(`/staff/referrals/${referral.id}/hold`, {
      kind: 'court_order',
      reason: '',
      reviewBy: '2020-01-01',
    });
    expect(bad.statusCode).toBe(303);
    const withErrors = await manager.get(path);
    expect(withErrors.body).toContain('Say why the record must be kept');
    expect(withErrors.body).toContain('Enter a review date after today');
    await manager.post(`/staff/referrals/${referral.id}/hold`, {
      kind: 'court_order',
      reason: 'Production order from the Crown Court',
      reviewBy: '2027-06-01',
    });
    expect(audited('legal_hold_placed')).toBe(1);
    const held = await manager.get(path);
    expect(held.body).toContain('Production order from the Crown Court');
    expect(held.body).toContain('Erasure is not possible while the legal hold stands');
    const list = await manager.get('/staff/holds');
    expect(list.body).toContain(referral.reference);
    await manager.post(`/staff/referrals/${referral.id}/erase`, { reason: 'his_request', confirm: referral.reference });
    const refused = await manager.get(path);
    expect(refused.body).toMatch(/cannot be erased: a legal hold \(Court order or police request\) stands/);
    expect(audited('erasure_refused')).toBe(1);
    expect(t.database.sqlite.prepare('SELECT 1 FROM referrals WHERE id = ?').get(referral.id)).toBeDefined();
    const report = await admin.get('/staff/deletions');
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Legal holds standing: 1');
  });

  it('produces a subject access bundle after review: flagged free text first, redactions applied, audited', async () => {
    const review = await manager.get(`/staff/referrals/${referral.id}/subject-access`);
    expect(review.statusCode).toBe(200);
    expect(review.body).toContain('This may name or describe someone else');
    expect(review.body).toContain('He mentioned his brother Tom Smith.');
    const noteId = /name="text:(note:[0-9a-f-]+)"/.exec(review.body)![1]!;
    const html = await manager.post(`/staff/referrals/${referral.id}/subject-access`, {
      format: 'html',
      [`text:${noteId}`]: 'He mentioned [redacted].',
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.headers['content-disposition']).toContain(`subject-access-${referral.reference}.html`);
    expect(html.body).toContain('He mentioned [redacted].');
    expect(html.body).not.toContain('Tom Smith');
    for (const title of [
      'What he told us',
      'Triage and priority history',
      'Every attempt to contact him',
      'Appointments',
      'Case notes',
      'Status changes',
      'Emails we sent to him',
      'Who looked at or changed',
    ]) {
      expect(html.body).toContain(title);
    }
    expect(html.body).toContain('break-after: page');
    expect(html.body).toContain('him@example.test');
    expect(html.body).not.toContain('<script');
    const json = await manager.post(`/staff/referrals/${referral.id}/subject-access`, { format: 'json' });
    const parsed = JSON.parse(json.body) as { reference: string; sections: Array<{ id: string; rows: unknown[] }> };
    expect(parsed.reference).toBe(referral.reference);
    expect(parsed.sections.map((s) => s.id)).toEqual([
      'answers',
      'triage',
      'attempts',
      'appointments',
      'notes',
      'statuses',
      'emails',
      'access',
    ]);
    expect(json.body).toContain('Tom Smith'); // nothing was redacted this time
    const rows = t.database.sqlite
      .prepare("SELECT actor_id, detail FROM audit_events WHERE action = 'subject_access_produced' ORDER BY seq")
      .all() as Array<{ actor_id: string; detail: string }>;
    expect(rows).toHaveLength(2);
    expect(rows[0]!.actor_id).toBe(managerMember.id);
    expect(JSON.parse(rows[0]!.detail)).toMatchObject({ format: 'html', itemsEdited: 1 });
  });

  it('lets an admin change the policy, with a clear error for a bad period', async () => {
    await admin.get('/staff/admin/retention');
    await admin.post('/staff/admin/retention', { rule: 'declined', 'value-declined': '0', unit: 'days' });
    const bad = await admin.get('/staff/admin/retention');
    expect(bad.body).toContain('choose a period from 30 days');
    await admin.post('/staff/admin/retention', { rule: 'declined', 'value-declined': '2', unit: 'years' });
    const saved = await admin.get('/staff/admin/retention');
    expect(saved.body).toContain('is now 2 years');
    expect(saved.body).toContain('Kept for:</strong> 2 years from the date the referral was closed.');
    expect(audited('retention_policy_changed')).toBe(1);
  });

  it('releases the hold, then erases on request, leaving only statistics', async () => {
    await manager.get(`/staff/referrals/${referral.id}/data`);
    await manager.post(`/staff/referrals/${referral.id}/hold/review`, { decision: 'release', reviewBy: '' });
    await manager.get(`/staff/referrals/${referral.id}/data`);
    const res = await manager.post(`/staff/referrals/${referral.id}/erase`, {
      reason: 'his_request',
      confirm: referral.reference,
    });
    expect(res.statusCode).toBe(303);
    expect(t.database.sqlite.prepare('SELECT 1 FROM referrals WHERE id = ?').get(referral.id)).toBeUndefined();
    expect(
      (
        t.database.sqlite
          .prepare("SELECT COUNT(*) AS n FROM referral_statistics WHERE deletion_rule = 'erasure'")
          .get() as { n: number }
      ).n,
    ).toBe(1);
    expect((await manager.get(`/staff/referrals/${referral.id}/data`)).statusCode).toBe(404);
  });

  it('the audit page check says exactly where the chain breaks', async () => {
    const ok = await admin.get('/staff/audit?verify=1');
    expect(ok.body).toMatch(/The chain of \d+ entries is intact/);
    // Someone with the file but not DATA_KEY adds a recorded head of their own.
    t.database.sqlite
      .prepare("INSERT INTO audit_heads (source, seq, hash, recorded_at, mac) VALUES ('daily', 1, 'x', 1, 'forged')")
      .run();
    const broken = await admin.get('/staff/audit?verify=1');
    expect(broken.body).toContain('The chain is broken at entry 1');
    expect(broken.body).toContain('fails its keyed check');
  });

  it('links a returning person on the record and inbox, and not once the earlier referral is deleted', async () => {
    const { db } = t.database;
    const keyring = t.app.services.keyring;
    const first = insertSampleReferral(db, keyring, {
      receivedAt: new Date('2026-11-20T10:00:00Z'),
      officeId: 'leeds',
    });
    recordContactHashes(db, keyring, first.id, { phone: '07700 900123', email: 'Someone@Example.test' });
    const second = insertSampleReferral(db, keyring, {
      receivedAt: new Date('2026-11-30T10:00:00Z'),
      officeId: 'leeds',
    });
    recordContactHashes(db, keyring, second.id, { phone: '+44 7700 900123', email: 'other@example.test' });
    const record = await manager.get(`/staff/referrals/${second.id}`);
    expect(record.body).toContain('He has referred himself before');
    expect(record.body).toContain(first.reference);
    expect(record.body).toMatch(/matched on\s*(<!--.*?-->)?\s*phone/);
    const inbox = await manager.get('/staff');
    expect(inbox.body).toContain('Referred before');
    const stored = t.database.sqlite
      .prepare('SELECT hash, key_id FROM contact_match_hashes WHERE referral_id = ?')
      .all(first.id) as Array<{ hash: string; key_id: string }>;
    expect(stored).toHaveLength(2);
    expect(JSON.stringify(stored)).not.toContain('7700');
    expect(stored[0]!.key_id).toBe(keyring.derivationKeyId);
    const erased = eraseReferral(
      db,
      keyring,
      { id: first.id, officeId: 'leeds', reference: first.reference },
      { reason: 'his_request', confirm: first.reference },
      managerMember.id,
      clock.now(),
      null,
    );
    expect(erased.ok).toBe(true);
    const after = await manager.get(`/staff/referrals/${second.id}`);
    expect(after.body).not.toContain('He has referred himself before');
    expect(after.body).not.toContain(first.reference);
  });
});
