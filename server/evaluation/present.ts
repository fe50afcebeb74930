import { FEEDBACK_SCALE } from '../feedback/questions.ts';
import type { CountTable, Dashboard } from './dashboard.ts';
import { showBreakdown, showCount, showShare, showStatistic, type Shown } from './suppression.ts';

/**
 * The dashboard as it may be shown: every number about people passed through small-number suppression. The
 * screen, its charts and the aggregate export all read this, so nothing unsuppressed can reach them.
 */

export interface DisplayCell {
  text: string;
  /** What a chart draws; null when the number is suppressed (the chart then says so in words). */
  value: number | null;
}

export interface DisplayTable {
  id: string;
  title: string;
  description: string;
  rowHeading: string;
  columns: string[];
  rows: Array<{ label: string; cells: DisplayCell[] }>;
  /** Which columns the chart draws, and on what scale. */
  chart: { columns: number[]; unit: 'count' | 'percent' };
  note?: string;
}

const cell = (shown: Shown): DisplayCell => ({
  text: shown.text,
  value: shown.kind === 'count' ? shown.value : null,
});
const percentCell = (text: string): DisplayCell => ({
  text,
  value: text.endsWith('%') ? Number.parseFloat(text) : null,
});

function countTable(table: CountTable): DisplayTable {
  // Suppress column by column: each column is a breakdown of a total shown on the page.
  const columns = table.columns.map((_, c) => showBreakdown(table.rows.map((row) => row.values[c]!)));
  return {
    id: table.id,
    title: table.title,
    description: table.description,
    rowHeading: table.rowHeading,
    columns: table.columns,
    rows: table.rows.map((row, r) => ({ label: row.label, cells: table.columns.map((_, c) => cell(columns[c]![r]!)) })),
    chart: { columns: table.columns.map((_, c) => c), unit: 'count' },
  };
}

export interface DashboardView {
  total: DisplayCell;
  tables: DisplayTable[];
  feedbackResponses: DisplayCell;
}

export function presentDashboard(d: Dashboard): DashboardView {
  const t = d.tables;
  const firstContact: DisplayTable = {
    id: 'first-contact',
    title: 'First contact: within 7 days and by the contact-by time',
    description:
      'Share of referrals first contacted (we reached him) within 7 days, and by the contact-by time triage set, by priority. Referrals whose time is not over yet and who have not been reached are not counted.',
    rowHeading: 'Priority',
    columns: [
      'Referrals judged',
      'Reached within 7 days',
      'Share within 7 days',
      'Reached by contact-by time',
      'Share by contact-by time',
      'Median working hours to first contact',
      '90th percentile working hours',
    ],
    rows: d.firstContact.map((row) => {
      const within = showShare(row.within7Days, row.judged);
      const byTime = showShare(row.byContactBy, row.judged);
      return {
        label: row.label,
        cells: [
          cell(showCount(row.judged)),
          cell(within.part),
          percentCell(within.percent),
          cell(byTime.part),
          percentCell(byTime.percent),
          { text: showStatistic(row.medianHours, row.reached, 'hours'), value: null },
          { text: showStatistic(row.p90Hours, row.reached, 'hours'), value: null },
        ],
      };
    }),
    chart: { columns: [2, 4], unit: 'percent' },
    note: 'Working hours count only the office’s opening hours, not evenings, weekends, bank holidays or closures.',
  };
  const appointments: DisplayTable = {
    id: 'appointments',
    title: 'Appointments within 7 days, by what he wanted',
    description:
      'Share of referrals with an appointment within 7 days, for men who wanted to start as soon as possible and for men who wanted to start later.',
    rowHeading: 'He wanted to start',
    columns: ['Referrals', 'Appointment within 7 days', 'Share'],
    rows: d.appointments.map((row) => {
      const share = showShare(row.within7Days, row.referrals);
      return { label: row.label, cells: [cell(share.whole), cell(share.part), percentCell(share.percent)] };
    }),
    chart: { columns: [2], unit: 'percent' },
    note: 'The 7-day standard applies to men who want to meet that soon.',
  };
  const scaleColumns = FEEDBACK_SCALE.map((p) => p.label);
  const feedback: DisplayTable = {
    id: 'feedback',
    title: 'Client feedback',
    description: 'How many people gave each answer to each feedback question.',
    rowHeading: 'Question',
    columns: [...scaleColumns, 'Skipped'],
    rows: d.feedback.questions.map((q) => {
      const shown = showBreakdown([...q.counts, q.skipped]);
      return { label: q.text, cells: shown.map(cell) };
    }),
    chart: { columns: scaleColumns.map((_, i) => i), unit: 'count' },
  };
  return {
    total: cell(showCount(d.total)),
    feedbackResponses: cell(showCount(d.feedback.responses)),
    tables: [
      countTable(t.weekly),
      countTable(t.source),
      countTable(t.stage),
      countTable(t.nation),
      countTable(t.priority),
      firstContact,
      countTable(t.missed),
      countTable(t.outcomes),
      appointments,
      feedback,
    ],
  };
}
