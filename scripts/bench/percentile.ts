// Apart from load.ts so the seeding helpers (scripts/bench/seed.ts) can use it without loading autocannon.
/** The value below which `fraction` of `values` lie (nearest rank, unsorted input); Infinity when there are none. */
export function percentile(values: readonly number[], fraction: number): number {
  if (values.length === 0) return Infinity;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1))]!;
}
