import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '../../server/site-files.ts';

export interface RunningProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn until the health URL answered 200. */
  coldStartMs: number;
  /** Resident memory now, in MiB (from /proc). */
  rssMiB(): number;
  /** CPU time the process has used so far (every thread, user and system), in milliseconds, from /proc. */
  cpuMs(): number;
  stop(): Promise<void>;
}

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times (100 on every common Linux build). */
const CLOCK_TICKS_PER_SECOND = 100;

/** A free port on 127.0.0.1, found by asking the OS for one. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts an entry point on 127.0.0.1 and waits until `healthPath` answers 200 (at most 120 s): compiled JavaScript
 * (`dist/app/...js`) with plain node, the way `npm start` runs the server; a TypeScript file through tsx.
 */
export async function startProcess(
  entry: string,
  env: (port: number) => Record<string, string>,
  healthPath = '/healthz',
): Promise<RunningProcess> {
  const port = await freePort();
  const started = performance.now();
  // BENCH_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) is passed to node for the compiled app, to profile it.
  const nodeArgs = process.env.BENCH_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const args = entry.endsWith('.js') ? [...nodeArgs, entry] : ['--import', 'tsx', entry];
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: projectRoot,
    env: { ...process.env, ...env(port), HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited (${child.exitCode}):\n${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${entry} did not answer ${healthPath} within 120 s:\n${stderr}`);
    }
    try {
      const res = await fetch(`${url}${healthPath}`);
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const coldStartMs = performance.now() - started;
  return {
    url,
    pid: child.pid!,
    coldStartMs,
    rssMiB() {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
      return kb / 1024;
    },
    cpuMs() {
      // Fields 14 and 15 of /proc/<pid>/stat (utime, stime), in clock ticks; the name field may hold spaces.
      const stat = readFileSync(`/proc/${child.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
    },
    async stop() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
