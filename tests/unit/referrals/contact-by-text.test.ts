import { describe, expect, it } from 'vitest';
import { contactByText } from '../../../server/referrals/contact-by-text.ts';

describe('the contact-by wording', () => {
  it('says the London time and date', () => {
    expect(contactByText(new Date('2026-12-04T17:00:00Z'))).toBe('by 5pm on Friday 4 December 2026');
    expect(contactByText(new Date('2026-12-01T11:30:00Z'))).toBe('by 11:30am on Tuesday 1 December 2026');
    expect(contactByText(new Date('2026-12-01T12:00:00Z'))).toBe('by 12 noon on Tuesday 1 December 2026');
  });

  it('uses British Summer Time in summer', () => {
    expect(contactByText(new Date('2026-07-01T16:00:00Z'))).toBe('by 5pm on Wednesday 1 July 2026');
  });

  it('says "the end of" a day for a whole-day deadline', () => {
    expect(contactByText(new Date('2026-12-08T23:59:59.999Z'))).toBe('by the end of Tuesday 8 December 2026');
  });
});
