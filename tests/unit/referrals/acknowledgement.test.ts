import { describe, expect, it } from 'vitest';
import { acknowledgementEmail, ACKNOWLEDGEMENT_SUBJECT } from '../../../server/referrals/acknowledgement.ts';

describe('the acknowledgement email', () => {
  const email = acknowledgementEmail('sam@example.org', 'SL-7KQ4-M9TX', new Date('2026-12-04T17:00:00Z'), 'referral-1');

  it('is discreet: a plain subject, no name of a service or situation', () => {
    expect(email.subject).toBe(ACKNOWLEDGEMENT_SUBJECT);
    expect(email.subject).not.toMatch(/police|offence|suicide|referral|safer|support|crisis/i);
    expect(email.text).not.toMatch(/police|offence|arrest|investigat|child|court|bail/i);
  });

  it('gives his reference, when we will contact him and the crisis lines', () => {
    expect(email.to).toEqual(['sam@example.org']);
    expect(email.kind).toBe('referral_acknowledgement');
    expect(email.dedupeKey).toBe('referral_acknowledgement:referral-1');
    expect(email.text).toContain('SL-7KQ4-M9TX');
    expect(email.text).toContain('by 5pm on Friday 4 December 2026');
    for (const number of ['999', '116 123', '111', '85258']) expect(email.text).toContain(number);
  });
});
