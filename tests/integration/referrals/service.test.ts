import { afterEach, describe, expect, it, vi } from 'vitest';
import { eq } from 'drizzle-orm';
import { offices } from '../../../db/schema/offices.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { decryptField, decryptJson } from '../../../server/security/field-encryption.ts';
import { bodyAad, recipientsAad } from '../../../server/mail/outbox.ts';
import { defaultCalendarConfig } from '../../../server/scheduling/calendar.ts';
import { ensureDefaultOffices } from '../../../server/referrals/offices.ts';
import { loadReferralAnswers } from '../../../server/referrals/store.ts';
import {
  ReferralStorageError,
  submitReferral,
  type OnReferralStored,
  type ReferralServiceDeps,
  type StoredReferral,
} from '../../../server/referrals/service.ts';
import { TUESDAY_MORNING, validAnswers } from '../../unit/referrals/fixtures.ts';
import { serviceHarness, type ServiceHarness } from './db.ts';

const shownAt = new Date(TUESDAY_MORNING);
const sentAt = new Date(shownAt.getTime() + 8 * 60_000);

let h: ServiceHarness;
afterEach(() => h?.cleanup());

function submit(
  deps: ReferralServiceDeps,
  overrides: Record<string, unknown> = {},
  token = h.formTokens.issue(shownAt),
  at = sentAt,
) {
  return submitReferral(deps, { answers: validAnswers(overrides), formToken: token, honeypot: '' }, at);
}

describe('submitting a referral', () => {
  it('stores the referral with triage and deadline, queryable routing columns and encrypted answers', async () => {
    h = await serviceHarness();
    const outcome = submit(h.deps);
    expect(outcome.kind).toBe('created');
    if (outcome.kind !== 'created') return;
    expect(outcome.receipt.reference).toMatch(/^SL-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/);
    const row = h.database.db.select().from(referrals).get()!;
    expect(row).toMatchObject({
      id: outcome.receipt.referralId,
      reference: outcome.receipt.reference,
      status: 'new',
      priority: 'within_7_days',
      officeId: 'leeds',
      officePreference: 'leeds',
      nation: 'england',
      stage: 'released_under_investigation',
      source: 'solicitor',
      meetPreference: 'asap',
      receivedAt: sentAt,
    });
    // Within 7 days of a Tuesday 10:08 receipt: the end of the working day on the following Tuesday.
    expect(row.contactBy.toISOString()).toBe('2026-12-08T17:00:00.000Z');
    expect(outcome.receipt.contactBy).toEqual(row.contactBy);
    expect(row.ruleVersion).toMatch(/\S/);
    expect(row.answersEnc).toMatch(/^v1\.k1\./);
    expect(row.triageEnc).toMatch(/^v1\.k1\./);

    const loaded = loadReferralAnswers(h.database.db, h.keyring, row.id)!;
    expect(loaded.answers).toMatchObject({
      name: 'Quentin Marchbanks',
      phone: '+441134960321',
      safeTimes: ['morning', 'evening'],
    });
    expect(loaded.triage.result.priority).toBe('within_7_days');
    expect(loaded.triage.result.flags.map((flag) => flag.id)).toContain('children_in_regular_contact');
    expect(loaded.triage.deadline.contactBy).toBe('2026-12-08T17:00:00.000Z');
    expect(loaded.referral).not.toHaveProperty('answersEnc');
  });

  it('queues the acknowledgement in the same transaction when email is safe, and none otherwise', async () => {
    h = await serviceHarness();
    const outcome = submit(h.deps);
    expect(outcome.kind === 'created' && outcome.receipt.acknowledgementQueued).toBe(true);
    const message = h.database.db.select().from(outboxMessages).get()!;
    expect(message.kind).toBe('referral_acknowledgement');
    expect(message.subject).toBe('We have received your message');
    expect(decryptJson(h.keyring, message.recipientsEnc, recipientsAad(message.id))).toEqual([
      'quentin.marchbanks@example.org',
    ]);
    const body = decryptField(h.keyring, message.bodyEnc, bodyAad(message.id));
    expect(body).toContain(outcome.kind === 'created' ? outcome.receipt.reference : 'x');
    expect(body).toContain('by 5pm on Tuesday 8 December 2026');
    expect(body).not.toContain('Quentin');

    const unsafe = submit(h.deps, { emailSafe: 'no' });
    expect(unsafe.kind === 'created' && unsafe.receipt.acknowledgementQueued).toBe(false);
    const noEmail = submit(h.deps, { email: '', emailSafe: undefined });
    expect(noEmail.kind === 'created' && noEmail.receipt.acknowledgementQueued).toBe(false);
    expect(h.database.db.select().from(outboxMessages).all()).toHaveLength(1);
  });

  it('routes remote referrals to the default office but keeps his choice', async () => {
    h = await serviceHarness();
    submit(h.deps, { office: 'remote' });
    submit(h.deps, { office: 'manchester' });
    const rows = h.database.db
      .select({ officeId: referrals.officeId, preference: referrals.officePreference })
      .from(referrals)
      .all();
    expect(rows).toEqual(
      expect.arrayContaining([
        { officeId: 'leeds', preference: 'remote' },
        { officeId: 'manchester', preference: 'manchester' },
      ]),
    );
  });

  it('puts risk first and sets the same-day priority, without ever refusing the referral', async () => {
    h = await serviceHarness();
    const outcome = submit(h.deps, {
      thoughtsOfEndingLife: 'often',
      madePlanOrTakenSteps: 'yes',
      ableToKeepSafe: 'no',
    });
    expect(outcome.kind).toBe('created');
    if (outcome.kind !== 'created') return;
    expect(outcome.receipt).toMatchObject({ priority: 'today', showsRisk: true });
    expect(outcome.receipt.contactBy.toISOString()).toBe('2026-12-01T17:00:00.000Z');
  });

  it('caps the deadline before a bail date within the week', async () => {
    h = await serviceHarness();
    const outcome = submit(h.deps, { bailReturnDate: '2026-12-03' });
    expect(outcome.kind === 'created' && outcome.receipt.priority).toBe('next_working_day');
    // Next working day is Wednesday; bail on Thursday: the deadline is the end of Wednesday's hours.
    expect(outcome.kind === 'created' && outcome.receipt.contactBy.toISOString()).toBe('2026-12-02T17:00:00.000Z');
  });

  it("uses the office's calendar through the calendarFor dependency", async () => {
    const calendarFor = vi.fn(() => ({ ...defaultCalendarConfig('england-and-wales'), closures: ['2026-12-08'] }));
    h = await serviceHarness({ calendarFor });
    const outcome = submit(h.deps, { office: 'manchester' });
    expect(calendarFor).toHaveBeenCalledWith('manchester');
    // Tuesday 8th is closed, so the last working window within 7 days ends on Monday 7th.
    expect(outcome.kind === 'created' && outcome.receipt.contactBy.toISOString()).toBe('2026-12-07T17:00:00.000Z');
  });

  it('runs onReferralStored inside the transaction, after the referral and acknowledgement are written', async () => {
    const seen: Array<{ referral: StoredReferral; rowsInside: number; mailInside: number; now: Date }> = [];
    const onReferralStored: OnReferralStored = (tx, referral, now) => {
      seen.push({
        referral,
        rowsInside: tx.select().from(referrals).where(eq(referrals.id, referral.id)).all().length,
        mailInside: tx.select().from(outboxMessages).all().length,
        now,
      });
    };
    h = await serviceHarness({ onReferralStored });
    const outcome = submit(h.deps, {
      thoughtsOfEndingLife: 'often',
      madePlanOrTakenSteps: 'no',
      ableToKeepSafe: 'yes',
    });
    expect(seen).toHaveLength(1);
    const [call] = seen;
    expect(call!.rowsInside).toBe(1);
    expect(call!.mailInside).toBe(1);
    expect(call!.now).toEqual(sentAt);
    expect(call!.referral).toMatchObject({
      reference: outcome.kind === 'created' ? outcome.receipt.reference : '',
      officeId: 'leeds',
      priority: 'next_working_day',
      showsRisk: true,
      answers: { name: 'Quentin Marchbanks', safeTimes: ['morning', 'evening'] },
    });
    expect(call!.referral.triage.reasons[0]?.ruleId).toBe('thoughts_of_ending_life');
    expect(call!.referral.calendar.nation).toBe('england-and-wales');
  });

  it('rolls everything back when onReferralStored fails, and says it could not save', async () => {
    h = await serviceHarness({
      onReferralStored: () => {
        throw new Error('alert queue broken');
      },
    });
    expect(() => submit(h.deps)).toThrow(ReferralStorageError);
    expect(h.database.db.select().from(referrals).all()).toEqual([]);
    expect(h.database.db.select().from(outboxMessages).all()).toEqual([]);
  });

  it('says it could not save (so he keeps his answers) when the office calendar cannot be read', async () => {
    h = await serviceHarness({
      calendarFor: () => {
        throw new Error('no calendar for this office');
      },
    });
    expect(() => submit(h.deps)).toThrow(ReferralStorageError);
    expect(h.database.db.select().from(referrals).all()).toEqual([]);
  });

  it('throws ReferralStorageError when the database cannot be written', async () => {
    h = await serviceHarness();
    h.database.sqlite.exec(
      "CREATE TRIGGER refuse BEFORE INSERT ON referrals BEGIN SELECT RAISE(ABORT, 'disk I/O error'); END;",
    );
    expect(() => submit(h.deps)).toThrow(ReferralStorageError);
    expect(h.database.db.select().from(outboxMessages).all()).toEqual([]);
    h.database.sqlite.close();
    expect(() => submit(h.deps)).toThrow(ReferralStorageError);
  });
});

describe('repeated and refused submissions', () => {
  it('answers a repeated form token with the same referral and creates nothing new, even with changed answers', async () => {
    h = await serviceHarness();
    const token = h.formTokens.issue(shownAt);
    const first = submit(h.deps, {}, token);
    const again = submit(
      h.deps,
      { name: 'Someone Else', phone: 'rubbish' },
      token,
      new Date(sentAt.getTime() + 60_000),
    );
    expect(first.kind).toBe('created');
    expect(again.kind).toBe('duplicate');
    if (first.kind !== 'created' || again.kind !== 'duplicate') return;
    expect(again.receipt).toEqual(first.receipt);
    expect(h.database.db.select().from(referrals).all()).toHaveLength(1);
    expect(h.database.db.select().from(outboxMessages).all()).toHaveLength(1);
  });

  it('answers a repeated form with its receipt whichever way it would otherwise be answered', async () => {
    h = await serviceHarness();
    const token = h.formTokens.issue(shownAt);
    const first = submit(h.deps, {}, token);
    if (first.kind !== 'created') throw new Error(`expected created, got ${first.kind}`);
    const later = new Date(sentAt.getTime() + 60_000);
    const resend = (answers: Record<string, unknown>, at = later) =>
      submitReferral(h.deps, { answers, formToken: token, honeypot: '' }, at);
    // Unchanged and valid: found by the write itself, which then writes nothing.
    expect(resend(validAnswers())).toEqual({ kind: 'duplicate', receipt: first.receipt });
    // Now saying under 18, or sent again after the form's token expired (a day later).
    expect(resend(validAnswers({ over18: 'no' }))).toEqual({ kind: 'duplicate', receipt: first.receipt });
    expect(resend(validAnswers(), new Date(shownAt.getTime() + 25 * 3_600_000))).toEqual({
      kind: 'duplicate',
      receipt: first.receipt,
    });
    expect(h.database.db.select().from(referrals).all()).toHaveLength(1);
    expect(h.database.db.select().from(outboxMessages).all()).toHaveLength(1);
  });

  it('turns away a filled honeypot, a missing or forged token, and a form sent too fast; stores nothing', async () => {
    h = await serviceHarness();
    const token = h.formTokens.issue(shownAt);
    const answers = validAnswers();
    expect(submitReferral(h.deps, { answers, formToken: token, honeypot: 'http://spam.example' }, sentAt)).toEqual({
      kind: 'not_accepted',
      reason: 'honeypot',
    });
    expect(submitReferral(h.deps, { answers, formToken: undefined, honeypot: undefined }, sentAt)).toEqual({
      kind: 'not_accepted',
      reason: 'missing_token',
    });
    expect(submitReferral(h.deps, { answers, formToken: `${token}x`, honeypot: undefined }, sentAt)).toEqual({
      kind: 'not_accepted',
      reason: 'bad_token',
    });
    expect(
      submitReferral(h.deps, { answers, formToken: token, honeypot: '' }, new Date(shownAt.getTime() + 2_000)),
    ).toEqual({
      kind: 'not_accepted',
      reason: 'too_fast',
    });
    expect(h.database.db.select().from(referrals).all()).toEqual([]);
  });

  it('stores nothing for someone under 18, whatever else he typed', async () => {
    h = await serviceHarness();
    const outcome = submitReferral(
      h.deps,
      {
        answers: { over18: 'no', name: 'Young Person', phone: 'x' },
        formToken: h.formTokens.issue(shownAt),
        honeypot: '',
      },
      sentAt,
    );
    expect(outcome).toEqual({ kind: 'under_18' });
    expect(h.database.db.select().from(referrals).all()).toEqual([]);
    expect(h.database.db.select().from(outboxMessages).all()).toEqual([]);
  });

  it('returns every validation problem and stores nothing', async () => {
    h = await serviceHarness();
    const outcome = submit(h.deps, { phone: '12', meetPreference: undefined });
    expect(outcome.kind).toBe('invalid');
    expect(outcome.kind === 'invalid' && outcome.errors.map((error) => error.path)).toEqual([
      'phone',
      'meetPreference',
    ]);
    expect(h.database.db.select().from(referrals).all()).toEqual([]);
  });
});

describe('default offices', () => {
  it('are seeded once, leaving existing rows alone', async () => {
    h = await serviceHarness();
    h.database.db.update(offices).set({ name: 'Leeds (renamed by staff)' }).where(eq(offices.id, 'leeds')).run();
    expect(ensureDefaultOffices(h.database.db, new Date())).toBe(0);
    const rows = h.database.db.select().from(offices).all();
    expect(rows.map((row) => row.id).sort()).toEqual(['leeds', 'manchester']);
    expect(rows.find((row) => row.id === 'leeds')!.name).toBe('Leeds (renamed by staff)');
  });
});
