import autocannon, { type Options, type Result } from 'autocannon';
import { percentile } from './percentile.ts';

export { percentile };

export interface LoadResult {
  /** Completed requests per second. */
  rps: number;
  p50: number;
  p99: number;
  /** Requests answered, by status code. */
  statuses: Record<string, number>;
  completed: number;
  errors: number;
  timeouts: number;
  /** How long the load ran, in seconds. */
  seconds: number;
}

/**
 * One load, bounded in both count (`amount`) and time (`seconds`), against 127.0.0.1 only.
 */
export async function load(
  options: Options & {
    seconds: number;
    amount: number;
    /** Receives every answer's latency (ms). */ latencies?: number[];
  },
): Promise<LoadResult> {
  const { seconds, latencies, ...rest } = options;
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(rest.url))
    throw new Error(`load tests run against 127.0.0.1 only: ${rest.url}`);
  const instance = autocannon({ timeout: 10, ...rest });
  if (latencies) instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  const timer = setTimeout(() => instance.stop(), seconds * 1000);
  const result: Result = await instance;
  clearTimeout(timer);
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count;
  const completed = Object.values(statuses).reduce((a, b) => a + b, 0);
  return {
    rps: completed / Math.max(result.duration, 0.001),
    // No answer at all within the load is the worst result, never a 0 ms one.
    p50: completed === 0 ? Infinity : result.latency.p50,
    p99: completed === 0 ? Infinity : result.latency.p99,
    statuses,
    completed,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
  };
}

/**
 * Loads run in rounds, as one: throughput over their whole time, status counts summed, and p50/p99 from every
 * answer's latency (`latencies`, gathered by `load`).
 */
export function combined(rounds: readonly LoadResult[], latencies: readonly number[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const round of rounds)
    for (const [code, count] of Object.entries(round.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  const sum = (pick: (round: LoadResult) => number) => rounds.reduce((total, round) => total + pick(round), 0);
  const completed = sum((round) => round.completed);
  const seconds = sum((round) => round.seconds);
  return {
    rps: completed / Math.max(seconds, 0.001),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
    statuses,
    completed,
    errors: sum((round) => round.errors),
    timeouts: sum((round) => round.timeouts),
    seconds,
  };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
export const describeStatuses = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
