import { organisation } from '../../site/facts/organisation.ts';
import { formatLondonDateTime } from '../alerts/format.ts';

/**
 * The one wording of an appointment reminder to him, for every channel: the email the outbox sends, and the text,
 * call or letter a caseworker sends by hand. It names the service only when he said we may say who we are.
 */

export type ReminderChannel = 'email' | 'text' | 'phone' | 'letter';

const REPLY: Record<ReminderChannel, string> = {
  email: 'reply to this email',
  text: 'reply to this message',
  phone: 'tell me now',
  letter: 'let us know',
};

export function appointmentReminderWords(
  channel: ReminderChannel,
  startsAt: Date,
  mode: 'office' | 'remote',
  mayNameService: boolean,
): { subject: string | null; lines: string[] } {
  const when = `${formatLondonDateTime(startsAt)}${mode === 'remote' ? ' (by phone or video)' : ''}`;
  const opening =
    channel === 'phone'
      ? mayNameService
        ? `I am calling from ${organisation.name} to remind you of your appointment with us: ${when}.`
        : `I am calling to remind you of your appointment: ${when}.`
      : mayNameService
        ? `This is a reminder from ${organisation.name} of your appointment with us: ${when}.`
        : `A reminder of your appointment: ${when}.`;
  const closing = mayNameService
    ? `If you cannot make it, ${REPLY[channel]} and we will find another time.`
    : `If you cannot make it, ${REPLY[channel]}.`;
  const lines = channel === 'phone' ? [opening, closing] : ['Hello,', '', opening, '', closing];
  const subject =
    channel === 'email'
      ? mayNameService
        ? `Your appointment with ${organisation.name} tomorrow`
        : 'Reminder for tomorrow'
      : null;
  return { subject, lines };
}
