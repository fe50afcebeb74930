import autocannon, { type Options, type Result } from 'autocannon';

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
}

/**
 * One load, bounded in both count (`amount`) and time (`seconds`), against 127.0.0.1 only.
 */
export async function load(options: Options & { seconds: number; amount: number }): Promise<LoadResult> {
  const { seconds, ...rest } = options;
  if (!/^http:\/\/127\.0\.0\.1:\d+/.test(rest.url))
    throw new Error(`load tests run against 127.0.0.1 only: ${rest.url}`);
  const instance = autocannon({ timeout: 10, ...rest });
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
  };
}

export const fmt = (n: number, digits = 1) => n.toFixed(digits);
export const describeStatuses = (statuses: Record<string, number>) =>
  Object.entries(statuses)
    .map(([code, count]) => `${code}×${count}`)
    .join(' ');
