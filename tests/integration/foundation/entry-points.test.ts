import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../../server/paths.ts';
import { appStaleReason, buildApp } from '../../../tools/build.mjs';

/**
 * The compiled entry points, started the way npm starts them (`node tools/run.mjs <name>`), from a folder
 * holding only a .env file: each must read that .env through the one config schema.
 */
const runner = join(projectRoot, 'tools/run.mjs');
const mode = (path: string) => statSync(path).mode & 0o777;

/** A .env in its own folder, with DATA_DIR relative to that folder, and nothing set in the environment. */
function folderWithDotEnv(extra = ''): string {
  const cwd = mkdtempSync(join(tmpdir(), 'portal-dotenv-'));
  writeFileSync(
    join(cwd, '.env'),
    [
      'NODE_ENV=test',
      'DATA_DIR=./portal-data',
      `DATA_KEY=${randomBytes(32).toString('base64')}`,
      `SESSION_SECRET=${randomBytes(32).toString('base64url')}`,
      'PUBLIC_BASE_URL=https://portal.example',
      'LOG_LEVEL=info',
      extra,
    ].join('\n'),
  );
  return cwd;
}

/** The environment without anything a developer's shell might set for the portal. */
function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['NODE_ENV', 'DATA_DIR', 'DATABASE_PATH', 'DATA_KEY', 'SESSION_SECRET', 'PUBLIC_BASE_URL'])
    delete env[name];
  return env;
}

beforeAll(async () => {
  if (appStaleReason()) await buildApp();
}, 120_000);

/** Servers this file started: none may outlive a failed test. */
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Resolves with the server's address once it listens; `output()` is everything it printed. */
function listening(child: ChildProcess): { base: Promise<string>; output: () => string } {
  started.push(child);
  let output = '';
  const base = new Promise<string>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
      if (match) resolve(match[1]!);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${output}`)));
  });
  return { base, output: () => output };
}

describe('every entry point reads the same configuration', () => {
  it('has every script load .env and the environment through loadEntryPointConfig', () => {
    // Build and authoring helpers only: they read no configuration (content-report reads the site's sources).
    const buildHelpers = new Set([
      'site-build.ts',
      'ensure-site-built.ts',
      'content-report.ts',
      'data-dictionary.ts',
      'data-dictionary-format.ts',
    ]);
    const scripts = readdirSync(join(projectRoot, 'scripts')).filter((f) => f.endsWith('.ts') && !buildHelpers.has(f));
    expect(scripts.length).toBeGreaterThanOrEqual(5);
    for (const file of [...scripts.map((f) => `scripts/${f}`), 'server/main.ts']) {
      const text = readFileSync(join(projectRoot, file), 'utf8');
      expect(text, file).toContain('loadEntryPointConfig(');
      expect(text, file).not.toMatch(/\bloadConfig\(|process\.loadEnvFile/);
    }
  });

  it('npm run staff:add and db:migrate use DATA_DIR and PUBLIC_BASE_URL from .env', () => {
    const cwd = folderWithDotEnv();
    const env = cleanEnv();
    const added = spawnSync(
      process.execPath,
      [runner, 'staff-add', '--email', 'jo@saferlives.example', '--name', 'Jo', '--role', 'admin'],
      { cwd, env, encoding: 'utf8' },
    );
    expect(added.status, added.stderr).toBe(0);
    // The link the real server (same .env) answers, and the account in the database the server uses.
    expect(added.stdout).toMatch(/https:\/\/portal\.example\/staff\/enrol/);
    expect(existsSync(join(cwd, 'portal-data/portal.db'))).toBe(true);

    const migrated = spawnSync(process.execPath, [runner, 'db-migrate'], { cwd, env, encoding: 'utf8' });
    expect(migrated.status, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`Database: ${join(cwd, 'portal-data/portal.db')}`);
    expect(migrated.stdout).toContain('Database is up to date.');

    // The environment still wins over .env.
    const other = mkdtempSync(join(tmpdir(), 'portal-env-wins-'));
    const overridden = spawnSync(process.execPath, [runner, 'db-migrate'], {
      cwd,
      env: { ...env, DATA_DIR: other },
      encoding: 'utf8',
    });
    expect(overridden.status, overridden.stderr).toBe(0);
    expect(overridden.stdout).toContain(`Database: ${join(other, 'portal.db')}`);
  }, 60_000);

  it('stops with the variable named when .env holds a wrong value', () => {
    const cwd = folderWithDotEnv('PORT=not-a-port');
    const result = spawnSync(process.execPath, [runner, 'db-migrate'], { cwd, env: cleanEnv(), encoding: 'utf8' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('PORT: expected a port number');
  }, 30_000);
});

describe('the compiled server', () => {
  it('keeps every data file 0600 in a 0700 DATA_DIR (tightening old ones) and stops on SIGTERM sent to it', async () => {
    const cwd = folderWithDotEnv('PORT=0\nHOST=127.0.0.1');
    const dataDir = join(cwd, 'portal-data');
    // As an older version left them: world-readable.
    mkdirSync(join(dataDir, 'mail'), { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'mail/old.eml'), 'x', { mode: 0o644 });
    const first = spawnSync(
      process.execPath,
      [runner, 'staff-add', '--email', 'a@b.example', '--name', 'A', '--role', 'admin'],
      {
        cwd,
        env: cleanEnv(),
        encoding: 'utf8',
      },
    );
    expect(first.status, first.stderr).toBe(0);
    // keys:rotate takes a backup first; made world-readable here as an older version left its backups.
    const rotated = spawnSync(process.execPath, [runner, 'keys-rotate'], { cwd, env: cleanEnv(), encoding: 'utf8' });
    expect(rotated.status, rotated.stderr).toBe(0);
    const [backup] = readdirSync(join(dataDir, 'backups'));
    expect(mode(join(dataDir, 'backups', backup!))).toBe(0o600);
    chmodSync(join(dataDir, 'backups', backup!), 0o644);
    chmodSync(join(dataDir, 'portal.db'), 0o644);

    const child = spawn(process.execPath, [runner, 'server'], {
      cwd,
      env: cleanEnv(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const server = listening(child);
    const base = await server.base;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    expect(mode(dataDir)).toBe(0o700);
    expect(mode(join(dataDir, 'mail'))).toBe(0o700);
    expect(mode(join(dataDir, 'mail/old.eml'))).toBe(0o600);
    for (const file of ['portal.db', 'portal.db-wal', 'portal.db-shm'])
      expect(mode(join(dataDir, file)), file).toBe(0o600);
    const backups = readdirSync(join(dataDir, 'backups'));
    expect(mode(join(dataDir, 'backups'))).toBe(0o700);
    for (const backup of backups) expect(mode(join(dataDir, 'backups', backup)), backup).toBe(0o600);

    // The process npm start runs is the server itself: the signal reaches it, and it shuts down cleanly.
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(server.output()).toContain('shutting down');
    expect(existsSync(join(dataDir, 'portal.db-wal'))).toBe(false);
  }, 60_000);

  it('under npm start, a SIGTERM sent to npm reaches the server, which shuts down and leaves nothing running', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portal-npm-start-'));
    const npm = spawn('npm', ['start', '--silent'], {
      cwd: projectRoot,
      env: { ...cleanEnv(), NODE_ENV: 'test', DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => npm.on('exit', () => resolve()));
    const server = listening(npm);
    await server.base;
    const pid = Number(/"pid":(\d+)/.exec(server.output())![1]);
    npm.kill('SIGTERM');
    await exited;
    await expect.poll(() => server.output(), { timeout: 10_000 }).toContain('shutting down');
    const alive = () => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(alive, { timeout: 10_000 }).toBe(false);
  }, 60_000);
});
