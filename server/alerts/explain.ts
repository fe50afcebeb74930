import { londonDate } from '../scheduling/calendar.ts';
import type { DeadlineNote } from '../scheduling/types.ts';
import { calendarFor } from '../offices/calendar.ts';
import { assessReferral, safeTimesFromAnswers } from '../referrals/assessment.ts';
import type { SqliteDb } from '../offices/db.ts';
import { proposeFirstContact } from '../offices/first-contact.ts';
import { FORM_TOKEN_FIELD, HONEYPOT_FIELD, validateReferralAnswers, type FieldError } from '../referrals/questions.ts';
import type { Priority, TriageFlag, TriageReason } from '../triage/types.ts';

export type ProposedSlotExplanation =
  | { kind: 'slot'; start: string; end: string; staffId: string; channel: 'phone' | 'email' }
  | { kind: 'deadline_fallback'; start: string; reasonId: string; reason: string };

export interface TriageExplanation {
  priority: Priority;
  reasons: TriageReason[];
  flags: TriageFlag[];
  /** ISO instant. */
  contactBy: string;
  proposedSlot: ProposedSlotExplanation;
  ruleVersion: string;
  /** The office whose calendar and staff were used. */
  officeId: string;
  /** Why the deadline is not the plain rule, when it is not (empty normally). */
  contactByNotes: DeadlineNote[];
}

export type ExplainOutcome = { ok: true; explanation: TriageExplanation } | { ok: false; errors: FieldError[] };

/**
 * What the rules would do with a referral body (the JSON `POST /api/referrals` accepts, form token optional)
 * received at `at`, without storing anything. It runs the same steps as the referral service and the
 * new-referral hook: the referral service's validation and answers-to-triage mapping, its office routing,
 * the office's calendar from the database, triage, the contact-by deadline, and the slot proposal against
 * the database's caseworkers and bookings.
 */
export function explainReferral(db: SqliteDb, body: unknown, at: Date): ExplainOutcome {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ path: '', message: 'Send the referral as one JSON object' }] };
  }
  const { [FORM_TOKEN_FIELD]: _token, [HONEYPOT_FIELD]: _honeypot, ...answersIn } = body as Record<string, unknown>;
  if (answersIn.over18 === 'no') {
    return { ok: false, errors: [{ path: 'over18', message: 'Under 18: the service would store nothing' }] };
  }
  const validation = validateReferralAnswers(answersIn, { today: londonDate(at) });
  if (!validation.ok) return { ok: false, errors: validation.errors };
  const answers = validation.answers;

  const {
    officeId,
    triageInput: input,
    triage: result,
    deadline,
  } = assessReferral(answers, at, (office) => calendarFor(db, office));
  const proposal = proposeFirstContact(db, {
    officeId,
    receivedAt: at,
    deadline: deadline.contactBy,
    phoneSafe: input.phoneSafe,
    emailSafe: input.emailSafe,
    safeTimes: safeTimesFromAnswers(answers),
  });

  return {
    ok: true,
    explanation: {
      priority: result.priority,
      reasons: result.reasons,
      flags: result.flags,
      contactBy: deadline.contactBy.toISOString(),
      proposedSlot:
        proposal.kind === 'slot'
          ? {
              kind: 'slot',
              start: proposal.start.toISOString(),
              end: proposal.end.toISOString(),
              staffId: proposal.staffId,
              channel: proposal.channel,
            }
          : {
              kind: 'deadline_fallback',
              start: proposal.start.toISOString(),
              reasonId: proposal.reasonId,
              reason: proposal.reason,
            },
      ruleVersion: result.ruleVersion,
      officeId,
      contactByNotes: deadline.notes,
    },
  };
}
