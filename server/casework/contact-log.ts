import { desc, eq } from 'drizzle-orm';
import { contactAttempts } from '../../db/schema/casework.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { DbWriter } from '../../db/writer.ts';
import type { ReferralAnswers } from '../referrals/questions.ts';
import { decryptField, type Keyring } from '../security/field-encryption.ts';
import { CHANNEL_LABELS, OUTCOME_LABELS, type ContactChannel, type ContactOutcome } from './statuses.ts';
import { casenoteAad } from './types.ts';

/**
 * What the record and a manager's decision both show about a referral: the contact log (every attempt, newest
 * first, with who made it and the note) and the triage flags grouped for the first call. One reading, here.
 */

export const UNREADABLE_TEXT = '[This text failed its integrity check and cannot be shown.]';

export interface ContactLogEntry {
  id: string;
  at: Date;
  staffName: string;
  channel: ContactChannel;
  outcome: ContactOutcome;
  /** "Phone call: No answer". */
  title: string;
  note: string | null;
}

export function contactLog(db: DbWriter, keyring: Keyring, referralId: string): ContactLogEntry[] {
  return db
    .select({
      id: contactAttempts.id,
      at: contactAttempts.attemptedAt,
      channel: contactAttempts.channel,
      outcome: contactAttempts.outcome,
      noteEnc: contactAttempts.noteEnc,
      staffName: staffUsers.name,
    })
    .from(contactAttempts)
    .leftJoin(staffUsers, eq(staffUsers.id, contactAttempts.staffId))
    .where(eq(contactAttempts.referralId, referralId))
    .orderBy(desc(contactAttempts.attemptedAt))
    .all()
    .map((row) => {
      let note: string | null = null;
      if (row.noteEnc) {
        try {
          note = decryptField(keyring, row.noteEnc, casenoteAad('contact_attempts', row.id));
        } catch {
          note = UNREADABLE_TEXT;
        }
      }
      return {
        id: row.id,
        at: row.at,
        staffName: row.staffName ?? 'Unknown',
        channel: row.channel,
        outcome: row.outcome,
        title: `${CHANNEL_LABELS[row.channel]}: ${OUTCOME_LABELS[row.outcome]}`,
        note,
      };
    });
}

export interface FlagGroups {
  safeguarding: string[];
  contact: string[];
  admin: string[];
}

const SAFEGUARDING_FLAGS = new Set(['children_in_household', 'children_in_regular_contact', 'social_care_involved']);
const CONTACT_FLAGS = new Set(['no_voicemail', 'no_safe_phone']);

/**
 * Triage's flags, split three ways: safeguarding (his safety, children), how to contact him, and administrative
 * gaps. Risk to his life comes from his answers, first.
 */
export function groupFlags(
  flags: ReadonlyArray<{ id: string; text: string }>,
  answers: Partial<ReferralAnswers> | null,
): FlagGroups {
  const groups: FlagGroups = { safeguarding: [], contact: [], admin: [] };
  if (answers) {
    if (answers.madePlanOrTakenSteps === 'yes') groups.safeguarding.push('he has made a plan to end his life');
    else if (answers.thoughtsOfEndingLife === 'often' || answers.thoughtsOfEndingLife === 'sometimes')
      groups.safeguarding.push(`thoughts of ending his life (${answers.thoughtsOfEndingLife})`);
    if (answers.ableToKeepSafe === 'no') groups.safeguarding.push('he does not feel able to keep himself safe');
    else if (answers.ableToKeepSafe === 'not_sure') groups.safeguarding.push('he is not sure he can keep himself safe');
  }
  for (const flag of flags) {
    if (SAFEGUARDING_FLAGS.has(flag.id)) groups.safeguarding.push(flag.text);
    else if (CONTACT_FLAGS.has(flag.id)) groups.contact.push(flag.text);
    else groups.admin.push(flag.text);
  }
  return groups;
}
