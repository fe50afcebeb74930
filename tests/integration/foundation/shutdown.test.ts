import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../server/site-files.ts';
import { testEnv } from '../../helpers/app.ts';

function startPortal(dataDir: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(projectRoot, 'server/main.ts')], {
    cwd: projectRoot,
    env: { ...process.env, ...testEnv(dataDir, { PORT: '0', HOST: '127.0.0.1' }) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`portal exited early (${code}): ${output}`)));
  });
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.on('exit', (code) => resolve({ code, at: Date.now() })),
  );
  return { child, listening, exited, output: () => output };
}

describe('graceful shutdown', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`on ${signal} finishes the request in flight, closes the database and exits 0 within 10 s`, async () => {
      const dataDir = mkdtempSync(join(tmpdir(), 'portal-shutdown-'));
      const portal = startPortal(dataDir);
      const base = await portal.listening;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      expect(existsSync(join(dataDir, 'portal.db-wal'))).toBe(true);

      // One request, rendered by Astro on request: /staff itself now redirects signed-out visitors, and following
      // that redirect would be a second request racing the shutdown.
      const inFlight = fetch(`${base}/staff/sign-in`, { redirect: 'manual' }).then((r) => r.status);
      // Signal only once the server has started on that request, so it is really in flight.
      await expect
        .poll(() => /"url":"\/staff\/sign-in"/.test(portal.output()), { timeout: 5_000, interval: 5 })
        .toBe(true);
      const sentAt = Date.now();
      portal.child.kill(signal);
      const { code, at } = await portal.exited;

      expect(await inFlight).toBe(200);
      expect(code).toBe(0);
      expect(at - sentAt).toBeLessThan(10_000);
      // better-sqlite3 checkpoints and removes the WAL file only when the connection is closed cleanly.
      expect(existsSync(join(dataDir, 'portal.db-wal'))).toBe(false);
      expect(portal.output()).toContain('shutting down');
    }, 30_000);
  }
});
