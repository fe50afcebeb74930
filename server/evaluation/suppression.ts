/**
 * Small-number suppression: any count under 5 is shown as "fewer than 5", everywhere a number about people
 * leaves the service (dashboard, aggregate export). A breakdown whose total is also shown gets one more cell
 * withheld when exactly one cell was suppressed, or the hidden number could be worked out by subtraction.
 */
export const SUPPRESSION_THRESHOLD = 5;
export const FEWER_THAN_5 = 'fewer than 5';
export const WITHHELD = 'not shown';

export type Shown =
  | { kind: 'count'; value: number; text: string }
  | { kind: 'fewer_than_5'; text: string }
  | { kind: 'withheld'; text: string };

export function isSmall(count: number): boolean {
  return count < SUPPRESSION_THRESHOLD;
}

/** One count, on its own. */
export function showCount(count: number): Shown {
  if (isSmall(count)) return { kind: 'fewer_than_5', text: FEWER_THAN_5 };
  return { kind: 'count', value: count, text: count.toLocaleString('en-GB') };
}

/** The cells of one breakdown that adds up to a total shown elsewhere. */
export function showBreakdown(counts: readonly number[]): Shown[] {
  const shown = counts.map(showCount);
  const suppressed = shown.filter((cell) => cell.kind !== 'count').length;
  if (suppressed === 1 && counts.length > 1) {
    // Withhold the smallest shown cell too, so neither can be worked out from the total.
    let smallest = -1;
    counts.forEach((count, index) => {
      if (shown[index]!.kind === 'count' && (smallest === -1 || count < counts[smallest]!)) smallest = index;
    });
    if (smallest !== -1) shown[smallest] = { kind: 'withheld', text: WITHHELD };
  }
  return shown;
}

/**
 * A share "part of whole": a percentage only when the part, the rest and the whole are each 5 or more, so no
 * small group can be worked out from it.
 */
export function showShare(part: number, whole: number): { part: Shown; whole: Shown; percent: string } {
  const percent =
    isSmall(part) || isSmall(whole) || isSmall(whole - part) ? WITHHELD : `${Math.round((part / whole) * 1000) / 10}%`;
  return { part: showCount(part), whole: showCount(whole), percent };
}

/** A statistic over a group of people (median, percentile): only when the group has 5 or more. */
export function showStatistic(value: number | null, groupSize: number, unit: string): string {
  if (isSmall(groupSize)) return `${WITHHELD} (${FEWER_THAN_5} people)`;
  if (value === null) return 'none';
  return `${Math.round(value * 10) / 10} ${unit}`;
}
