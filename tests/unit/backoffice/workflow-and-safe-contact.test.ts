import { describe, expect, it } from 'vitest';
import { canTransition, manualTransitions, REFERRAL_STATUSES } from '../../../server/casework/statuses.ts';
import { contactAttemptProblem, safeContactFrom, safeTimesText } from '../../../server/casework/safe-contact.ts';
import { sampleAnswers } from '../../../server/backoffice/sample-referrals.ts';
import { parseLondonDateTime } from '../../../server/backoffice/routes/casework.ts';
import { urgencyOf } from '../../../server/backoffice/casework/inbox.ts';

describe('status workflow', () => {
  it('allows only the defined moves, and nothing out of closed', () => {
    expect(canTransition('new', 'contact_attempted')).toBe(true);
    expect(canTransition('new', 'engaged')).toBe(false);
    expect(canTransition('in_contact', 'contact_attempted')).toBe(false);
    expect(canTransition('engaged', 'closed')).toBe(true);
    for (const to of REFERRAL_STATUSES) expect(canTransition('closed', to)).toBe(false);
    expect(canTransition('made-up', 'closed')).toBe(false);
  });

  it('offers by hand only the moves that are not set by recording an attempt or an appointment', () => {
    // Booking is not contact: "in contact" is set only by an attempt that reached him, never by hand from "new".
    expect(manualTransitions('new')).toEqual(['closed']);
    expect(manualTransitions('contact_attempted')).toEqual(['closed']);
    expect(manualTransitions('in_contact')).toEqual(['engaged', 'closed']);
    expect(manualTransitions('closed')).toEqual([]);
  });
});

describe('his contact wishes', () => {
  const at = (iso: string) => new Date(iso);
  const safe = safeContactFrom(sampleAnswers());

  it('reads anything but a clear yes as no', () => {
    expect(safeContactFrom(sampleAnswers({ voicemail: undefined })).voicemailAllowed).toBe(false);
    expect(safeContactFrom(sampleAnswers({ phoneSafe: 'no', voicemail: 'yes' })).voicemailAllowed).toBe(false);
    expect(safeContactFrom(sampleAnswers({ emailSafe: 'yes', email: undefined })).emailSafe).toBe(false);
  });

  it('refuses a voicemail he did not allow, and a call outside his safe times (London time)', () => {
    expect(
      contactAttemptProblem(safe, { channel: 'phone', outcome: 'voicemail_left', at: at('2026-03-10T10:00:00Z') }),
    ).toContain('must not leave a voicemail');
    // 12:30 in March is GMT: outside morning and evening.
    expect(
      contactAttemptProblem(safe, { channel: 'phone', outcome: 'no_answer', at: at('2026-03-10T12:30:00Z') }),
    ).toContain('This call was at 12:30');
    // 17:30 BST in July is 16:30 UTC: inside the evening.
    expect(
      contactAttemptProblem(safe, { channel: 'phone', outcome: 'no_answer', at: at('2026-07-10T16:30:00Z') }),
    ).toBeNull();
    // An email is read when he chooses, so his safe times do not apply; the sample man asked us not to say who we
    // are, so the caseworker must confirm the email did not.
    expect(
      contactAttemptProblem(safe, {
        channel: 'email',
        outcome: 'sent',
        at: at('2026-03-10T12:30:00Z'),
        saidWhoWeAre: false,
      }),
    ).toBeNull();
    expect(
      contactAttemptProblem(safe, { channel: 'email', outcome: 'sent', at: at('2026-03-10T12:30:00Z') }),
    ).toContain('Confirm that you did not');
    // An email cannot go unanswered like a call: only the outcomes that fit the channel are accepted.
    expect(
      contactAttemptProblem(safe, { channel: 'email', outcome: 'no_answer', at: at('2026-03-10T12:30:00Z') }),
    ).toContain('"No answer" is not possible for an email.');
  });

  it('refuses phone and text when the phone is not safe, and email when email is not safe', () => {
    const noPhone = safeContactFrom(sampleAnswers({ phoneSafe: 'no' }));
    expect(
      contactAttemptProblem(noPhone, { channel: 'text', outcome: 'sent', at: at('2026-03-10T10:00:00Z') }),
    ).toContain('not safe for us to call or text');
    const noEmail = safeContactFrom(sampleAnswers({ emailSafe: 'no' }));
    expect(
      contactAttemptProblem(noEmail, { channel: 'email', outcome: 'spoke', at: at('2026-03-10T10:00:00Z') }),
    ).toContain('Do not email him');
  });

  it('describes his safe times in words', () => {
    expect(safeTimesText(['morning', 'afternoon', 'evening'])).toBe(
      'mornings (9am to 12 noon), afternoons (12 noon to 5pm) and evenings (5pm to 8pm)',
    );
    expect(safeTimesText([])).toContain('office hours');
  });
});

describe('London times typed by staff', () => {
  it('reads a datetime-local value as London time, across the clock change', () => {
    expect(parseLondonDateTime('2026-03-10T09:30')?.toISOString()).toBe('2026-03-10T09:30:00.000Z');
    expect(parseLondonDateTime('2026-07-10T09:30')?.toISOString()).toBe('2026-07-10T08:30:00.000Z');
    expect(parseLondonDateTime('2026-02-30T09:30')).toBeNull();
    expect(parseLondonDateTime('yesterday')).toBeNull();
  });

  it('marks overdue and due today (London date)', () => {
    const now = new Date('2026-03-10T10:00:00Z');
    expect(urgencyOf(new Date('2026-03-10T09:59:00Z'), now)).toBe('overdue');
    expect(urgencyOf(new Date('2026-03-10T23:30:00Z'), now)).toBe('due-today');
    expect(urgencyOf(new Date('2026-03-11T00:30:00Z'), now)).toBeNull();
  });
});
