import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { showBreakdown, showCount, showShare, showStatistic } from '../../../server/evaluation/suppression.ts';
import {
  csvCell,
  csvLine,
  researchCsv,
  RESEARCH_COLUMNS,
  type ResearchFacts,
} from '../../../server/evaluation/research-export.ts';
import { DATA_DICTIONARY_PATH } from '../../../server/evaluation/data-dictionary.ts';
import { formattedDataDictionary } from '../../../scripts/data-dictionary-format.ts';
import { FIRST_CONTACT_OUTCOMES, NATIONS, OUTCOMES, SOURCES, STAGES } from '../../../server/evaluation/definitions.ts';
import { CLOSED_REASONS, REACHED_OUTCOMES } from '../../../server/casework/statuses.ts';
import { questionById, type RadiosQuestion } from '../../../server/referrals/questions.ts';
import { choosePeriod, isoWeekOf, londonDays, weekStartOf } from '../../../server/evaluation/period.ts';
import { sevenDayLimit } from '../../../server/scheduling/deadline.ts';
import { londonDate } from '../../../server/scheduling/calendar.ts';
import { workingClock, median, percentile } from '../../../server/evaluation/working-hours.ts';
import { defaultCalendarConfig } from '../../../server/scheduling/calendar.ts';
import { normaliseFeedbackCode, newFeedbackCode, readFeedbackForm } from '../../../server/feedback/feedback.ts';

describe('small-number suppression', () => {
  it('shows 4 as "fewer than 5" and 5 as 5 (the boundary), and 0 as "fewer than 5"', () => {
    expect(showCount(4).text).toBe('fewer than 5');
    expect(showCount(5).text).toBe('5');
    expect(showCount(0).text).toBe('fewer than 5');
    expect(showCount(1234).text).toBe('1,234');
  });

  it('withholds a second cell when exactly one would otherwise be worked out from the total', () => {
    const cells = showBreakdown([20, 9, 3]);
    expect(cells.map((c) => c.text)).toEqual(['20', 'not shown', 'fewer than 5']);
    // Two suppressed cells already hide each other.
    expect(showBreakdown([20, 2, 3]).map((c) => c.text)).toEqual(['20', 'fewer than 5', 'fewer than 5']);
    expect(showBreakdown([5, 6]).map((c) => c.text)).toEqual(['5', '6']);
  });

  it('shows a share only when the part, the rest and the whole are each 5 or more', () => {
    expect(showShare(5, 10).percent).toBe('50%');
    expect(showShare(4, 10).percent).toBe('not shown');
    expect(showShare(6, 10).percent).toBe('not shown'); // 4 not reached could be worked out
    expect(showShare(5, 10).part.text).toBe('5');
    expect(showStatistic(8, 4, 'hours')).toContain('fewer than 5');
    expect(showStatistic(8, 5, 'hours')).toBe('8 hours');
  });
});

describe('research export', () => {
  const facts: ResearchFacts = {
    office: 'leeds',
    isoWeek: '2026-W08',
    nation: 'england',
    stage: 'arrested',
    source: '=HYPERLINK("http://evil")',
    priority: 'today',
    priorityChanged: true,
    meetPreference: 'asap',
    flags: ['no_gp', 'children_in_household'],
    outcome: 'engaged',
    workingHours: 7.25,
    within7Days: true,
    metContactBy: false,
    missedReason: 'attempts_did_not_reach',
    appointmentWithin7Days: true,
    attempts: 3,
    appointments: 1,
  };

  it('makes every cell safe from spreadsheet formulas', () => {
    for (const bad of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])
      expect(csvCell(bad).replace(/^"/, '')[0]).toBe("'");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvLine(['ok', '=x'])).toBe("ok,'=x\r\n");
    const { csv } = researchCsv([facts]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil"")"`);
  });

  it('writes the columns the definitions list, flags in a fixed order, and a fresh random id per export', () => {
    const first = researchCsv([facts, facts]).csv.trim().split('\r\n');
    expect(first[0]).toBe(RESEARCH_COLUMNS.map((c) => c.name).join(','));
    const row = first[1]!.split(',');
    const at = (name: string) => row[RESEARCH_COLUMNS.findIndex((c) => c.name === name)];
    expect(at('flags')).toBe('children_in_household|no_gp');
    expect(at('working_hours_to_first_contact')).toBe('7.3');
    expect(at('met_contact_by')).toBe('no');
    const second = researchCsv([facts]).csv.trim().split('\r\n');
    expect(second[1]!.split(',')[0]).not.toBe(row[0]);
    expect(first[1]!.split(',')[0]).not.toBe(first[2]!.split(',')[0]);
  });

  it('has a committed data dictionary that matches the definitions (npm run docs:data-dictionary)', async () => {
    const committed = readFileSync(DATA_DICTIONARY_PATH, 'utf8');
    expect(committed).toBe(await formattedDataDictionary());
    for (const column of RESEARCH_COLUMNS) expect(committed).toContain(`\`${column.name}\``);
  });
});

describe('definitions agree with casework and the referral form', () => {
  const formCodes = (id: string) => (questionById(id) as RadiosQuestion).options.map((o) => o.value).sort();

  it('uses the form’s own answer codes', () => {
    expect(NATIONS.map((c) => c.code).sort()).toEqual(formCodes('nation'));
    expect(STAGES.map((c) => c.code).sort()).toEqual(formCodes('stage'));
    expect(
      SOURCES.map((c) => c.code)
        .filter((c) => c !== 'not_said')
        .sort(),
    ).toEqual(formCodes('heardFrom'));
  });

  it('has an outcome for every closing reason and counts the same first contact as casework', () => {
    for (const reason of CLOSED_REASONS) expect(OUTCOMES.map((o) => o.code)).toContain(reason);
    expect([...FIRST_CONTACT_OUTCOMES].sort()).toEqual([...REACHED_OUTCOMES].sort());
  });
});

describe('periods and working hours', () => {
  const now = new Date('2026-03-10T10:00:00Z');
  it('offers presets and checks chosen dates', () => {
    expect(choosePeriod({}, now).period).toMatchObject({ preset: '4w', from: '2026-02-11', to: '2026-03-10' });
    expect(choosePeriod({ period: 'year' }, now).period.from).toBe('2025-03-12');
    expect(choosePeriod({ period: 'dates', from: '2026-01-01', to: '2026-01-31' }, now).period).toMatchObject({
      preset: 'dates',
      from: '2026-01-01',
    });
    expect(choosePeriod({ period: 'dates', from: '2026-02-30', to: '2026-03-01' }, now).problem).toContain(
      'start date',
    );
    expect(choosePeriod({ period: 'dates', from: '2026-03-05', to: '2026-03-01' }, now).problem).toContain(
      'on or before',
    );
  });

  it('names ISO weeks and their Mondays', () => {
    expect(weekStartOf('2026-03-10')).toBe('2026-03-09');
    expect(weekStartOf('2026-03-09')).toBe('2026-03-09');
    expect(weekStartOf('2026-03-15')).toBe('2026-03-09');
    expect(isoWeekOf('2026-01-01')).toBe('2026-W01');
    expect(isoWeekOf('2027-01-01')).toBe('2026-W53');
    expect(isoWeekOf('2026-12-02')).toBe('2026-W49');
  });

  it('places instants in London days, weeks and 7-day windows exactly as the scheduling code does', () => {
    const from = Date.parse('2026-03-01T00:00:00Z');
    const to = Date.parse('2026-11-30T00:00:00Z');
    const days = londonDays(from, to);
    // Around both clock changes and at midnight either side.
    for (const iso of [
      '2026-03-28T23:30:00Z',
      '2026-03-29T00:30:00Z',
      '2026-03-29T23:30:00Z',
      '2026-10-24T23:30:00Z',
      '2026-10-25T00:30:00Z',
      '2026-10-25T23:59:59Z',
      '2026-06-14T22:59:59Z',
      '2026-06-14T23:00:00Z',
    ]) {
      const ms = Date.parse(iso);
      expect(days.dateOf(ms), iso).toBe(londonDate(new Date(ms)));
      expect(days.weekStartOf(ms), iso).toBe(weekStartOf(londonDate(new Date(ms))));
      expect(days.sevenDayLimit(ms), iso).toBe(sevenDayLimit(new Date(ms)).getTime());
    }
  });

  it('counts only office hours, skipping weekends and bank holidays', () => {
    const clock = workingClock(
      defaultCalendarConfig('england-and-wales'),
      Date.parse('2026-03-01T00:00:00Z'),
      Date.parse('2026-04-30T00:00:00Z'),
    );
    // Friday 16:00 to Monday 10:00 (GMT): 1 + 1 hours.
    expect(clock.hoursBetween(Date.parse('2026-03-06T16:00:00Z'), Date.parse('2026-03-09T10:00:00Z'))).toBe(2);
    // Thursday 2 April 16:00 BST to Tuesday 7 April 10:00 BST: Good Friday and Easter Monday are holidays.
    expect(clock.hoursBetween(Date.parse('2026-04-02T15:00:00Z'), Date.parse('2026-04-07T09:00:00Z'))).toBe(2);
    expect(median([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  });
});

describe('feedback form', () => {
  it('makes codes that survive being typed back', () => {
    const code = newFeedbackCode();
    expect(code).toMatch(/^[A-Z2-9]{5}-[A-Z2-9]{5}$/);
    expect(normaliseFeedbackCode(code.toLowerCase().replace('-', ' '))).toBe(code);
    expect(normaliseFeedbackCode('hello')).toBeNull();
  });

  it('lets every question be skipped and refuses only impossible answers', () => {
    expect(readFeedbackForm({ code: 'ABCDE-FGH23' })).toEqual({ answers: {}, errors: {}, code: 'ABCDE-FGH23' });
    const bad = readFeedbackForm({ code: 'ABCDE-FGH23', talk: '6', safer: '3', comment: 'x'.repeat(2001) });
    expect(Object.keys(bad.errors).sort()).toEqual(['comment', 'talk']);
    expect(bad.answers.safer).toBe(3);
    expect(readFeedbackForm({}).errors.code).toBe('Enter the code from your card or email');
  });
});
