import { describe, expect, it } from 'vitest';
import {
  NOT_ANSWERED,
  referralCsvHeader,
  referralCsvKeys,
  referralCsvRow,
  referralDisplayGroups,
  toCsvLine,
} from '../../../server/referrals/display.ts';
import { referralQuestions, referralSections, validateReferralAnswers } from '../../../server/referrals/questions.ts';
import { TODAY, validAnswers } from './fixtures.ts';

const stored = (() => {
  const result = validateReferralAnswers(validAnswers({ anythingElse: '=HYPERLINK("http://x")' }), { today: TODAY });
  if (!result.ok) throw new Error('fixture invalid');
  return result.answers;
})();

describe('the staff view of a referral', () => {
  it('has every section and question in form order, with labels and readable values', () => {
    const groups = referralDisplayGroups(stored);
    expect(groups.map((group) => group.section)).toEqual(referralSections.map((section) => section.title));
    expect(groups.flatMap((group) => group.items.map((item) => item.questionId))).toEqual(
      referralQuestions.map((q) => q.id),
    );
    const item = (id: string) => groups.flatMap((group) => group.items).find((entry) => entry.questionId === id)!;
    expect(item('stage')).toEqual({
      questionId: 'stage',
      label: 'What has happened with the police so far?',
      value: 'I have been released under investigation',
    });
    expect(item('safeTimes').value).toBe('Morning (9am to 12 noon); Evening (5pm to 8pm)');
    expect(item('policeContactDate').value).toBe('14 September 2026');
    expect(item('phone').value).toBe('+441134960321');
    expect(item('confidentialityAgreedVersion').value).toMatch(/^Agreed \(version /);
    expect(item('bailReturnDate').value).toBe(NOT_ANSWERED);
  });

  it('shows "Not answered" for questions an older referral does not have', () => {
    const groups = referralDisplayGroups({ name: 'Sam' });
    expect(groups.flatMap((group) => group.items).filter((item) => item.value === NOT_ANSWERED).length).toBe(
      referralQuestions.length - 1,
    );
  });
});

describe('the CSV export', () => {
  it('is one flat row aligned with the keys and headings, empty when unanswered', () => {
    const row = referralCsvRow(stored);
    expect(referralCsvKeys()).toHaveLength(row.length);
    expect(referralCsvHeader()).toHaveLength(row.length);
    expect(row[referralCsvKeys().indexOf('name')]).toBe('Quentin Marchbanks');
    expect(row[referralCsvKeys().indexOf('courtDate')]).toBe('');
  });

  it('neutralises spreadsheet formulas', () => {
    const row = referralCsvRow(stored);
    expect(row[referralCsvKeys().indexOf('anythingElse')]).toBe('\'=HYPERLINK("http://x")');
    expect(row[referralCsvKeys().indexOf('phone')]).toBe("'+441134960321");
  });

  it('quotes cells', () => {
    expect(toCsvLine(['a', 'b "c"', 'd,e\nf'])).toBe('"a","b ""c""","d,e\nf"');
  });
});
