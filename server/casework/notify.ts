import { eq } from 'drizzle-orm';
import { referralAssignments } from '../../db/schema/casework.ts';
import { staffUsers } from '../../db/schema/staff.ts';
import type { DbWriter } from '../../db/writer.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import type { Keyring } from '../security/field-encryption.ts';
import { backOfficeReferralUrl, formatLondonDateTime } from '../alerts/format.ts';
import { PRIORITY_LABELS } from './statuses.ts';
import type { ReferralHead } from './types.ts';

/** What casework needs to tell people: the keyring for the outbox and the address of the back office. */
export interface NotifyContext {
  keyring: Keyring;
  publicBaseUrl: string;
}

export type AssigneeEvent = 'assigned' | 'priority_raised' | 'escalated' | 'decision';

const EVENT_TEXT: Record<AssigneeEvent, { subject: string; line: string }> = {
  assigned: { subject: 'Assigned to you', line: 'A referral has been assigned to you.' },
  priority_raised: {
    subject: 'Priority raised',
    line: 'A manager raised the priority of a referral assigned to you. Its contact-by time has changed.',
  },
  escalated: {
    subject: 'With a manager',
    line: 'A referral assigned to you has gone to a manager, who will decide what happens next.',
  },
  decision: { subject: 'Manager decided', line: 'A manager recorded a decision on a referral assigned to you.' },
};

/**
 * Emails the referral's assignee (or `staffId` when given) about something that happened to it. Like every
 * alert it holds no personal data: the reference, the priority, the deadline and a link. Queued in the caller's
 * transaction; nothing is sent to a disabled account or to the person who did it themselves.
 */
export function notifyAssignee(
  tx: DbWriter,
  ctx: NotifyContext,
  referral: Pick<ReferralHead, 'id' | 'reference' | 'priority' | 'contactBy'>,
  event: AssigneeEvent,
  actorId: string,
  now: Date,
  staffId?: string,
): string | null {
  const targetId =
    staffId ??
    tx
      .select({ staffId: referralAssignments.staffId })
      .from(referralAssignments)
      .where(eq(referralAssignments.referralId, referral.id))
      .get()?.staffId;
  if (!targetId || targetId === actorId) return null;
  const person = tx
    .select({ email: staffUsers.email, status: staffUsers.status })
    .from(staffUsers)
    .where(eq(staffUsers.id, targetId))
    .get();
  if (!person || person.status !== 'active') return null;
  const words = EVENT_TEXT[event];
  return enqueueEmail(
    tx,
    ctx.keyring,
    {
      kind: `assignee_${event}`,
      to: [person.email],
      subject: `[${words.subject}] Referral ${referral.reference} (${PRIORITY_LABELS[referral.priority]})`,
      text: [
        words.line,
        '',
        `Reference:  ${referral.reference}`,
        `Priority:   ${PRIORITY_LABELS[referral.priority]}`,
        `Contact by: ${formatLondonDateTime(referral.contactBy)}`,
        '',
        `Open it: ${backOfficeReferralUrl(ctx.publicBaseUrl, referral.id)}`,
        '',
        '--',
        'This alert holds no personal details on purpose. Sign in to the back office to see the referral.',
      ].join('\n'),
      dedupeKey: `assignee:${referral.id}:${event}:${targetId}:${now.getTime()}`,
    },
    now,
  );
}
