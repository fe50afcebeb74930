import type { DashboardView } from './present.ts';
import type { Period } from './period.ts';
import { csvLine } from './research-export.ts';

/**
 * The aggregate export: the dashboard's own (already suppressed) tables as one long CSV, so it can never hold a
 * number the dashboard would not show.
 */
export const AGGREGATE_COLUMNS = [
  { name: 'period_from', description: 'First date of the period (London), YYYY-MM-DD.' },
  { name: 'period_to', description: 'Last date of the period (London), YYYY-MM-DD.' },
  { name: 'offices', description: 'Office codes covered, separated by `|`.' },
  { name: 'measure', description: 'Which table of the dashboard, e.g. `weekly`, `source`, `outcomes`.' },
  { name: 'category', description: 'The row: a week start, a category label or a question.' },
  { name: 'series', description: 'The column: e.g. `Referrals`, `Share within 7 days`.' },
  { name: 'value', description: 'The count, share or statistic as shown on the dashboard, after suppression.' },
] as const;

export function aggregateCsv(view: DashboardView, period: Period, officeIds: readonly string[]): string {
  const common = [period.from, period.to, officeIds.join('|')];
  let csv = csvLine(AGGREGATE_COLUMNS.map((c) => c.name));
  csv += csvLine([...common, 'total', 'All referrals', 'Referrals', view.total.text]);
  for (const table of view.tables)
    for (const row of table.rows)
      table.columns.forEach((column, i) => {
        csv += csvLine([...common, table.id, row.label, column, row.cells[i]!.text]);
      });
  return csv;
}
