import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import type { OpenedDatabase } from '../../../db/client.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { caseworkerPatterns } from '../../../db/schema/scheduling.ts';
import { handleNewReferral, isOutOfHours, type NewReferralFacts } from '../../../server/alerts/new-referral.ts';
import { bodyAad, recipientsAad } from '../../../server/mail/outbox.ts';
import { addClosure, seedOffices, setCaseworkerPattern } from '../../../server/offices/index.ts';
import { decryptField, decryptJson, type Keyring } from '../../../server/security/field-encryption.ts';
import type { Priority } from '../../../server/triage/types.ts';
import { addReferral, addStaff, migratedMemoryDb, testKeyring } from './support.ts';

const BASE = 'https://portal.example.org';
let database: OpenedDatabase;
let keyring: Keyring;
beforeEach(async () => {
  database = await migratedMemoryDb();
  keyring = testKeyring();
  seedOffices(database.db, new Date('2026-12-01T00:00:00Z'));
});
afterEach(() => database.sqlite.close());

function facts(
  priority: Priority,
  receivedAt: string,
  contactBy: string,
  overrides: Partial<NewReferralFacts> = {},
): NewReferralFacts {
  const officeId = overrides.officeId ?? 'leeds';
  const { id, reference } = addReferral(database.db, {
    officeId: officeId === 'atlantis' ? 'leeds' : officeId,
    priority,
    receivedAt: new Date(receivedAt),
    contactBy: new Date(contactBy),
  });
  return {
    referralId: id,
    reference,
    officeId,
    priority,
    receivedAt: new Date(receivedAt),
    contactBy: new Date(contactBy),
    phoneSafe: true,
    emailSafe: false,
    safeTimes: [],
    ...overrides,
  };
}

function outbox() {
  return database.db
    .select()
    .from(outboxMessages)
    .all()
    .map((row) => ({
      kind: row.kind,
      subject: row.subject,
      to: decryptJson(keyring, row.recipientsEnc, recipientsAad(row.id)) as string[],
      text: decryptField(keyring, row.bodyEnc, bodyAad(row.id)),
    }));
}

const run = (f: NewReferralFacts, now = f.receivedAt) =>
  handleNewReferral(database.db, { keyring, publicBaseUrl: BASE }, f, now);

describe('alerts for a new referral', () => {
  it.each<[Priority, string[]]>([
    ['today', ['duty-leeds@example.org', 'triage-leeds@example.org']],
    ['next_working_day', ['triage-leeds@example.org']],
    ['within_7_days', ['triage-leeds@example.org']],
  ])('%s goes to %j', (priority, to) => {
    const alex = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
    setCaseworkerPattern(
      database.db,
      alex,
      { weekly: [4].map((weekday) => ({ weekday, start: '09:00', end: '17:00' })), maxFirstContactsPerDay: 5 },
      new Date(),
    );
    const f = facts(priority, '2026-12-03T10:00:00Z', '2026-12-03T17:00:00Z');
    const outcome = run(f);
    expect(outcome.outOfHours).toBe(false);
    expect(outcome.slot).toMatchObject({ kind: 'slot', staffId: alex, startsAt: new Date('2026-12-03T10:00:00Z') });
    const [alert, ...rest] = outbox();
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ kind: 'referral_alert', to });
    expect(alert!.text).toContain('Proposed first contact: Thu 3 Dec 2026, 10:00');
  });

  it('is idempotent: handling the same referral again queues nothing more and keeps the slot', () => {
    const f = facts('today', '2026-12-03T10:00:00Z', '2026-12-03T17:00:00Z');
    const first = run(f);
    const again = run(f, new Date('2026-12-03T10:05:00Z'));
    expect(first.queued).toHaveLength(2); // alert + capacity warning (nobody rostered)
    expect(again.queued).toEqual([]);
    expect(again.slot).toEqual(first.slot);
    expect(outbox()).toHaveLength(2);
  });

  it.each<[string, string, boolean]>([
    ['08:59 on a Thursday', '2026-12-03T08:59:00Z', true],
    ['09:00 on a Thursday', '2026-12-03T09:00:00Z', false],
    ['16:59 on a Thursday', '2026-12-03T16:59:00Z', false],
    ['17:00 on a Thursday', '2026-12-03T17:00:00Z', true],
    ['a Saturday morning', '2026-12-05T10:00:00Z', true],
    ['Boxing Day substitute (Mon 28 Dec)', '2026-12-28T10:00:00Z', true],
    ['an office closure day', '2026-12-30T10:00:00Z', true],
    ['09:30 BST (08:30 UTC) in June', '2026-06-15T08:30:00Z', false],
  ])('counts %s as out of hours: %s', (_name, at, expected) => {
    addClosure(database.db, 'leeds', { date: '2026-12-30' }, new Date());
    expect(isOutOfHours(database.db, 'leeds', new Date(at))).toBe(expected);
  });

  it('says so when a Today referral arrives out of hours', () => {
    run(facts('today', '2026-12-05T22:00:00Z', '2026-12-07T11:00:00Z'));
    const [alert] = outbox();
    expect(alert!.subject).toMatch(/^\[TODAY, received out of hours\]/);
    expect(alert!.to).toEqual(['duty-leeds@example.org', 'triage-leeds@example.org']);
  });

  it('does not call it a capacity problem when he gave no safe way to reach him', () => {
    const outcome = run(
      facts('within_7_days', '2026-12-03T10:00:00Z', '2026-12-10T17:00:00Z', { phoneSafe: false, emailSafe: false }),
    );
    expect(outcome.slot).toMatchObject({ kind: 'deadline_fallback', reasonId: 'no_safe_channel' });
    expect(outbox().map((m) => m.kind)).toEqual(['referral_alert']);
  });

  it('still alerts when the slot cannot be worked out (a hand-broken setting), and books nothing', () => {
    const alex = addStaff(database.db, { name: 'Alex', offices: ['leeds'] });
    setCaseworkerPattern(database.db, alex, { weekly: [], maxFirstContactsPerDay: 5 }, new Date());
    database.db
      .update(caseworkerPatterns)
      .set({ weeklyShiftsJson: '{not json' })
      .where(eq(caseworkerPatterns.staffId, alex))
      .run();
    const outcome = run(facts('today', '2026-12-03T10:00:00Z', '2026-12-03T17:00:00Z'));
    expect(outcome.slot).toBeNull();
    expect(outbox().map((m) => m.kind)).toEqual(['referral_alert']);
  });

  it('tells every office’s triage list about a referral for an office with no recipients', () => {
    run(facts('within_7_days', '2026-12-03T10:00:00Z', '2026-12-10T17:00:00Z', { officeId: 'atlantis' }));
    expect(outbox()[0]!.to).toEqual(['triage-leeds@example.org', 'triage-manchester@example.org']);
  });
});
