import { describe, expect, it } from 'vitest';
import { combined, percentile, type LoadResult } from '../../../scripts/bench/load.ts';

const round = (completed: number, seconds: number, statuses: Record<string, number>): LoadResult => ({
  rps: completed / seconds,
  p50: 0,
  p99: 0,
  statuses,
  completed,
  errors: 1,
  timeouts: 0,
  seconds,
});

describe('bench loads taken in rounds (scripts/bench/load.ts)', () => {
  it('takes a percentile by nearest rank, and none of nothing as the worst', () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i); // 100 down to 1
    expect(percentile(values, 0.5)).toBe(50);
    expect(percentile(values, 0.99)).toBe(99);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBe(Infinity);
  });

  it('combines rounds over their whole time, with percentiles from every answer', () => {
    const result = combined(
      [round(300, 2, { '201': 290, '503': 10 }), round(100, 2, { '201': 100 })],
      [...Array.from({ length: 390 }, () => 10), ...Array.from({ length: 10 }, () => 80)],
    );
    expect(result.rps).toBe(100); // 400 answers in 4 s, not the mean of 150 and 50 a second
    expect(result.statuses).toEqual({ '201': 390, '503': 10 });
    expect(result.errors).toBe(2);
    expect(result.p50).toBe(10);
    expect(result.p99).toBe(80);
  });
});
