import { randomUUID } from 'node:crypto';
import { desc, eq } from 'drizzle-orm';
import { contactIncidents } from '../../db/schema/casework.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { PortalDb } from '../../db/client.ts';
import type { SessionStaff } from '../auth/sessions.ts';
import { recordAudit } from '../audit/audit.ts';
import { decryptField, encryptField, type Keyring } from '../security/field-encryption.ts';
import { casenoteAad, fail, NOTE_MAX, type ActionResult, type ReferralHead } from './types.ts';

/**
 * A wish of his broken by mistake: recorded, audited and shown to managers, since pretending it did not happen
 * helps nobody (and someone may need to check he is safe).
 */
export const BROKEN_WISHES = [
  'unsafe_channel',
  'voicemail',
  'text',
  'withheld_number',
  'said_who_we_are',
  'outside_safe_times',
  'letter',
  'email',
] as const;
export type BrokenWish = (typeof BROKEN_WISHES)[number];
export const BROKEN_WISH_LABELS: Record<BrokenWish, string> = {
  unsafe_channel: 'Used a phone he said is not safe',
  voicemail: 'Left a voicemail when he said not to',
  text: 'Sent a text when he said not to',
  withheld_number: 'Called from a withheld number when he said not to',
  said_who_we_are: 'Said who we are when he said not to',
  outside_safe_times: 'Contacted him outside his safe times',
  letter: 'Wrote to him when it was not safe',
  email: 'Emailed him when it was not safe',
};

export function recordWishBroken(
  db: PortalDb,
  keyring: Keyring,
  staff: SessionStaff,
  referral: ReferralHead,
  input: { wish: string; note: string; at: Date | null },
  now: Date,
): ActionResult {
  if (!(BROKEN_WISHES as readonly string[]).includes(input.wish)) return fail('wish', 'Choose which wish was broken.');
  const note = input.note.trim();
  if (note.length < 5) return fail('note', 'Say what happened and what you did about it.');
  if (note.length > NOTE_MAX) return fail('note', `The note must be ${NOTE_MAX} characters or fewer.`);
  const at = input.at ?? now;
  if (at.getTime() > now.getTime() + 60_000) return fail('at', 'The time cannot be in the future.');
  const wish = input.wish as BrokenWish;
  const id = randomUUID();
  db.transaction((tx) => {
    tx.insert(contactIncidents)
      .values({
        id,
        referralId: referral.id,
        staffId: staff.id,
        wish,
        happenedAt: at,
        noteEnc: encryptField(keyring, note, casenoteAad('contact_incidents', id)),
        createdAt: now,
      })
      .run();
    recordAudit(
      tx,
      {
        actorId: staff.id,
        action: 'wish_broken_recorded',
        referralId: referral.id,
        officeId: referral.officeId,
        detail: { wish, happenedAt: at.toISOString() },
      },
      now,
    );
  });
  return { ok: true, message: 'Recorded. Managers can see it on the referral. Tell your manager today.' };
}

export interface IncidentView {
  id: string;
  wish: BrokenWish;
  label: string;
  happenedAt: Date;
  staffName: string;
  note: string;
}

export function incidentsFor(db: PortalDb, keyring: Keyring, referralId: string): IncidentView[] {
  return db
    .select({
      id: contactIncidents.id,
      wish: contactIncidents.wish,
      happenedAt: contactIncidents.happenedAt,
      staffName: staffUsers.name,
      noteEnc: contactIncidents.noteEnc,
    })
    .from(contactIncidents)
    .innerJoin(staffUsers, eq(staffUsers.id, contactIncidents.staffId))
    .where(eq(contactIncidents.referralId, referralId))
    .orderBy(desc(contactIncidents.happenedAt))
    .all()
    .map((row) => {
      let note = '';
      try {
        note = row.noteEnc ? decryptField(keyring, row.noteEnc, casenoteAad('contact_incidents', row.id)) : '';
      } catch {
        note = '[This text failed its integrity check and cannot be shown.]';
      }
      return {
        id: row.id,
        wish: row.wish,
        label: BROKEN_WISH_LABELS[row.wish],
        happenedAt: row.happenedAt,
        staffName: row.staffName,
        note,
      };
    });
}
