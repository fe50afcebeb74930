import { urgentCrisisLines } from '../../site/facts/crisis-lines.ts';
import type { OutgoingEmail } from '../mail/outbox.ts';
import { contactPromiseText } from './contact-by-text.ts';

/**
 * The email he gets when he said email is safe. Someone else may see it, so the subject is plain, and the
 * body has his reference, when we will be in touch and where to get help now: nothing about his situation,
 * not even the name he gave.
 */
export const ACKNOWLEDGEMENT_SUBJECT = 'We have received your message';

export function acknowledgementEmail(
  to: string,
  reference: string,
  contactBy: Date,
  referralId: string,
  safeTimesOutsideOfficeHours = false,
): OutgoingEmail {
  const help = urgentCrisisLines.map((line) => {
    const verb = line.action === 'text' ? 'text' : 'call';
    return `- ${line.name}: ${verb} ${line.number}. ${line.hours}.`;
  });
  const text = [
    'Hello,',
    '',
    'Thank you for getting in touch. We have received your message.',
    '',
    `Your reference is ${reference}.`,
    '',
    'What happens next',
    contactPromiseText(contactBy, safeTimesOutsideOfficeHours, true),
    '',
    'If you need help before then',
    'If your life is in danger, or you think you might act on thoughts of ending your life, call 999 or go to A&E now.',
    ...help,
    '',
    'You can delete this email. If you can, keep your reference somewhere safe.',
  ].join('\n');
  return {
    kind: 'referral_acknowledgement',
    to: [to],
    subject: ACKNOWLEDGEMENT_SUBJECT,
    text,
    dedupeKey: acknowledgementDedupeKey(referralId),
  };
}

export function acknowledgementDedupeKey(referralId: string): string {
  return `referral_acknowledgement:${referralId}`;
}
