/**
 * How staff see a referral's answers, and how they are exported: both read the one question definition, so
 * a new question appears in the staff view and the CSV without touching this file.
 */
import { referralQuestions, referralSections, type Question, type ReferralAnswers } from './questions.ts';
import { formatIsoDate } from './text.ts';

export const NOT_ANSWERED = 'Not answered';

export interface DisplayItem {
  questionId: string;
  label: string;
  value: string;
}

export interface DisplayGroup {
  sectionId: string;
  section: string;
  items: DisplayItem[];
}

/** One stored answer as staff read it: option labels rather than codes, dates written out. */
export function formatAnswer(question: Question, value: unknown): string {
  if (value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0))
    return NOT_ANSWERED;
  switch (question.kind) {
    case 'radios':
      return question.options.find((option) => option.value === value)?.label ?? String(value);
    case 'checkboxes': {
      const chosen = Array.isArray(value) ? value : [value];
      return chosen
        .map((item) => question.options.find((option) => option.value === item)?.label ?? String(item))
        .join('; ');
    }
    case 'confirm':
      return `Agreed (version ${String(value)})`;
    case 'date':
      return formatIsoDate(String(value));
    default:
      return String(value);
  }
}

/** The staff view: `[{section, items: [{label, value}]}]`, every question in form order, unanswered ones said so. */
export function referralDisplayGroups(answers: Partial<ReferralAnswers>): DisplayGroup[] {
  const stored = answers as Record<string, unknown>;
  return referralSections.map((section) => ({
    sectionId: section.id,
    section: section.title,
    items: (section.questions as readonly Question[]).map((question) => ({
      questionId: question.id,
      label: question.label,
      value: formatAnswer(question, stored[question.id]),
    })),
  }));
}

/** Column keys of the CSV export (the question ids), in form order. */
export function referralCsvKeys(): string[] {
  return referralQuestions.map((question) => question.id);
}

/** Column headings of the CSV export (the question labels), in the same order as the keys. */
export function referralCsvHeader(): string[] {
  return referralQuestions.map((question) => question.label);
}

/**
 * Spreadsheet programs run a cell starting with = + - @ (or a tab or carriage return) as a formula, so an
 * answer such as "=HYPERLINK(...)" or even "+44..." is prefixed with an apostrophe (OWASP "CSV injection").
 */
export function neutraliseSpreadsheetFormula(cell: string): string {
  return /^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell;
}

/** One referral as a flat row of display values, aligned with `referralCsvKeys` / `referralCsvHeader`. Empty when unanswered. */
export function referralCsvRow(answers: Partial<ReferralAnswers>): string[] {
  const stored = answers as Record<string, unknown>;
  return referralQuestions.map((question) => {
    const value = stored[question.id];
    const shown = formatAnswer(question, value);
    return neutraliseSpreadsheetFormula(shown === NOT_ANSWERED ? '' : shown);
  });
}

/** RFC 4180: quote every cell, double any quote, CRLF between lines. */
export function toCsvLine(cells: readonly string[]): string {
  return cells.map((cell) => `"${cell.replace(/"/g, '""')}"`).join(',');
}
