import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OpenedDatabase } from '../../../db/client.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import { and, eq } from 'drizzle-orm';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import {
  escalationStageAt,
  runDailyDigest,
  runEscalations,
  workingTimePoint,
  type UncontactedReferral,
} from '../../../server/alerts/escalations.ts';
import { uncontactedReferrals } from '../../../server/alerts/referrals.ts';
import { decryptField, decryptJson, type Keyring } from '../../../server/security/field-encryption.ts';
import { bodyAad, recipientsAad } from '../../../server/mail/outbox.ts';
import { addClosure, calendarFor, seedOffices } from '../../../server/offices/index.ts';
import { defaultCalendarConfig } from '../../../server/scheduling/calendar.ts';
import { contactBy } from '../../../server/scheduling/deadline.ts';
import type { Priority } from '../../../server/triage/types.ts';
import { addReferral, migratedMemoryDb, testKeyring } from './support.ts';

const cfg = defaultCalendarConfig('england-and-wales');
const BASE = 'https://portal.example.org';
let database: OpenedDatabase;
let keyring: Keyring;
beforeEach(async () => {
  database = await migratedMemoryDb();
  keyring = testKeyring();
  seedOffices(database.db, new Date('2026-12-01T00:00:00Z'));
});
afterEach(() => database.sqlite.close());

const deps = () => ({ keyring, publicBaseUrl: BASE });

function referral(priority: Priority, receivedAt: string, officeId = 'leeds', status = 'new'): UncontactedReferral {
  const received = new Date(receivedAt);
  const deadline = contactBy(priority, received, calendarFor(database.db, officeId)).contactBy;
  const { id, reference } = addReferral(database.db, {
    officeId,
    priority,
    receivedAt: received,
    contactBy: deadline,
    status,
  });
  return { referralId: id, reference, officeId, priority, receivedAt: received, contactBy: deadline };
}

function queued() {
  return database.db
    .select()
    .from(outboxMessages)
    .all()
    .map((row) => ({
      kind: row.kind,
      dedupeKey: row.dedupeKey,
      subject: row.subject,
      to: decryptJson(keyring, row.recipientsEnc, recipientsAad(row.id)) as string[],
      text: decryptField(keyring, row.bodyEnc, bodyAad(row.id)),
    }));
}

describe('working-time points of a contact window', () => {
  it.each<[string, string, string, number, string]>([
    ['inside one working day', '2026-12-03T09:00:00Z', '2026-12-03T17:00:00Z', 0.5, '2026-12-03T13:00:00.000Z'],
    ['inside one working day, 90%', '2026-12-03T09:00:00Z', '2026-12-03T17:00:00Z', 0.9, '2026-12-03T16:12:00.000Z'],
    // Friday evening to Monday 11:00: only Monday 09:00-11:00 is working time.
    ['over a weekend', '2026-12-04T19:30:00Z', '2026-12-07T11:00:00Z', 0.5, '2026-12-07T10:00:00.000Z'],
    // Thursday 10:00 to Tuesday 17:00: 7 + 8 + 8 + 8 = 31 working hours; half is 15.5 h in: Monday 09:30.
    ['across days', '2026-12-03T10:00:00Z', '2026-12-08T17:00:00Z', 0.5, '2026-12-07T09:30:00.000Z'],
    // BST: 09:00-17:00 London is 08:00-16:00 UTC.
    ['in summer time', '2026-06-15T08:00:00Z', '2026-06-15T16:00:00Z', 0.5, '2026-06-15T12:00:00.000Z'],
    // No working time at all in the window: clock time.
    ['with no working time', '2026-12-05T10:00:00Z', '2026-12-06T10:00:00Z', 0.5, '2026-12-05T22:00:00.000Z'],
  ])('%s', (_name, received, deadline, fraction, expected) => {
    expect(workingTimePoint(new Date(received), new Date(deadline), cfg, fraction).toISOString()).toBe(expected);
  });

  it('gives the most serious stage reached, and nothing before half', () => {
    const r: UncontactedReferral = {
      referralId: 'r',
      reference: 'SL-AAAA-AAAA',
      officeId: 'leeds',
      priority: 'today',
      receivedAt: new Date('2026-12-03T09:00:00Z'),
      contactBy: new Date('2026-12-03T17:00:00Z'),
    };
    expect(escalationStageAt(r, cfg, new Date('2026-12-03T12:59:59Z'))).toBeNull();
    expect(escalationStageAt(r, cfg, new Date('2026-12-03T13:00:00Z'))).toBe('half');
    expect(escalationStageAt(r, cfg, new Date('2026-12-03T16:12:00Z'))).toBe('ninety');
    expect(escalationStageAt(r, cfg, new Date('2026-12-03T17:00:00Z'))).toBe('breach');
  });
});

describe('escalations to managers', () => {
  it('sends half, 90% and breach once each, to the office managers', () => {
    const r = referral('today', '2026-12-03T09:00:00Z');
    const times = ['12:00', '13:00', '13:01', '16:12', '16:30', '17:00', '17:01', '18:00'].map(
      (t) => new Date(`2026-12-03T${t}:00Z`),
    );
    const counts = times.map((now) => runEscalations(database.db, deps(), [r], now).length);
    expect(counts).toEqual([0, 1, 0, 1, 0, 1, 0, 0]);

    const sent = queued();
    expect(sent.map((m) => m.dedupeKey)).toEqual([
      `escalation:${r.referralId}:half`,
      `escalation:${r.referralId}:ninety`,
      `escalation:${r.referralId}:breach`,
    ]);
    for (const message of sent) {
      expect(message.kind).toBe('escalation');
      expect(message.to).toEqual(['managers-leeds@example.org']);
      expect(message.text).toContain(r.reference);
      expect(message.text).toContain('Contact by: Thu 3 Dec 2026, 17:00');
      expect(message.text).toContain(`${BASE}/staff/referrals/${r.referralId}`);
    }
    expect(sent[2]!.subject).toBe(`[OVERDUE] Referral ${r.reference}: contact by Thu 3 Dec 2026, 17:00`);
  });

  it('sends only the most serious stage when earlier ones were missed (the server was down)', () => {
    const r = referral('next_working_day', '2026-12-03T10:00:00Z');
    expect(runEscalations(database.db, deps(), [r], new Date('2026-12-07T09:00:00Z'))).toHaveLength(1);
    expect(queued().map((m) => m.dedupeKey)).toEqual([`escalation:${r.referralId}:breach`]);
  });

  it('goes to the triage list when the office has no managers set', () => {
    // A list can no longer be emptied through the settings, but an office set up without one still has none.
    database.db
      .delete(alertRecipients)
      .where(and(eq(alertRecipients.officeId, 'manchester'), eq(alertRecipients.list, 'managers')))
      .run();
    const r = referral('today', '2026-12-03T09:00:00Z', 'manchester');
    runEscalations(database.db, deps(), [r], new Date('2026-12-03T13:00:00Z'));
    expect(queued()[0]!.to).toEqual(['triage-manchester@example.org']);
  });

  it('stops once he has been contacted, and never escalates a closed referral', () => {
    const waiting = referral('today', '2026-12-03T09:00:00Z');
    const attempted = referral('today', '2026-12-03T09:00:00Z', 'leeds', 'contact_attempted');
    referral('today', '2026-12-03T09:00:00Z', 'leeds', 'in_contact');
    referral('today', '2026-12-03T09:00:00Z', 'leeds', 'closed');
    expect(
      uncontactedReferrals(database.db)
        .map((r) => r.referralId)
        .sort(),
    ).toEqual([waiting.referralId, attempted.referralId].sort());

    database.db.update(referrals).set({ status: 'in_contact' }).where(eq(referrals.id, waiting.referralId)).run();
    expect(uncontactedReferrals(database.db).map((r) => r.referralId)).toEqual([attempted.referralId]);
  });
});

describe('daily digest', () => {
  it('is queued once at 08:30 on a working day, per office, listing overdue and due today', () => {
    const overdue = referral('today', '2026-12-02T09:00:00Z'); // due Wed 17:00, now Thursday
    const dueToday = referral('next_working_day', '2026-12-02T10:00:00Z'); // due Thu 17:00
    const later = referral('within_7_days', '2026-12-02T10:00:00Z');
    referral('within_7_days', '2026-12-02T10:00:00Z', 'manchester');
    const open = uncontactedReferrals(database.db);

    expect(runDailyDigest(database.db, deps(), open, new Date('2026-12-03T08:29:00Z'))).toEqual([]);
    expect(runDailyDigest(database.db, deps(), open, new Date('2026-12-03T08:30:00Z'))).toHaveLength(2);
    expect(runDailyDigest(database.db, deps(), open, new Date('2026-12-03T08:31:00Z'))).toEqual([]);
    expect(runDailyDigest(database.db, deps(), open, new Date('2026-12-03T12:00:00Z'))).toEqual([]);

    const leeds = queued().find((m) => m.dedupeKey === 'digest:leeds:2026-12-03')!;
    expect(leeds.kind).toBe('daily_digest');
    expect(leeds.to).toEqual(['managers-leeds@example.org', 'triage-leeds@example.org']);
    expect(leeds.subject).toBe('[Daily digest] Leeds office, Thursday 3 December 2026: 1 overdue, 1 due today');
    const [overdueSection, todaySection] = leeds.text.split('\n\nDue today');
    expect(overdueSection).toContain(overdue.reference);
    expect(todaySection).toContain(dueToday.reference);
    expect(leeds.text).not.toContain(later.reference);
    expect(leeds.text).toContain('Due later: 1');
    expect(queued().find((m) => m.dedupeKey === 'digest:manchester:2026-12-03')?.subject).toContain(
      '0 overdue, 0 due today',
    );
  });

  it('is not sent at weekends, on bank holidays or closure days, nor after the office closes', () => {
    addClosure(database.db, 'leeds', { date: '2026-12-31' }, new Date());
    const leedsDigests = (now: string) => runDailyDigest(database.db, deps(), [], new Date(now)).length;
    expect(leedsDigests('2026-12-05T09:00:00Z')).toBe(0); // Saturday
    expect(leedsDigests('2026-12-25T09:00:00Z')).toBe(0); // Christmas Day
    expect(leedsDigests('2026-12-31T09:00:00Z')).toBe(1); // Leeds closed, Manchester open
    expect(queued().map((m) => m.dedupeKey)).toEqual(['digest:manchester:2026-12-31']);
    expect(leedsDigests('2027-01-04T17:00:00Z')).toBe(0); // after closing
  });

  it('uses London time: 08:30 in summer is 07:30 UTC', () => {
    expect(runDailyDigest(database.db, deps(), [], new Date('2026-06-15T07:29:00Z'))).toHaveLength(0);
    expect(runDailyDigest(database.db, deps(), [], new Date('2026-06-15T07:30:00Z'))).toHaveLength(2);
  });
});
