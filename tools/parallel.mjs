// @ts-check
/**
 * Runs npm scripts side by side, one per core, and fails if any of them fails. `npm test` uses it for the checks
 * that each keep one core busy (astro check, ESLint, Prettier), so on two cores they take the time of the
 * longest rather than of all of them. Each script's output is printed in one block when it ends, so logs do not
 * interleave, with its exit status and time.
 *
 *   node tools/parallel.mjs typecheck lint format:check
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('Usage: node tools/parallel.mjs <npm script>...\n');
  process.exit(2);
}
const lanes = Math.max(1, Math.min(scripts.length, availableParallelism()));

/** Runs `npm run <script>` with the npm (and Node) that started us, collecting its output. */
function run(/** @type {string} */ script) {
  const started = Date.now();
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli
    ? [process.execPath, [npmCli, 'run', script]]
    : [process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', script]];
  return new Promise((resolve) => {
    /** @type {Buffer[]} */
    const output = [];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk) => output.push(chunk));
    child.stderr.on('data', (chunk) => output.push(chunk));
    child.on('error', (error) => output.push(Buffer.from(`${error.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const status = code === 0 ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`;
      process.stdout.write(`\n> npm run ${script}: ${status} in ${seconds} s\n${Buffer.concat(output).toString()}`);
      resolve(code === 0);
    });
  });
}

const queue = [...scripts];
let failed = 0;
await Promise.all(
  Array.from({ length: lanes }, async () => {
    for (let script = queue.shift(); script; script = queue.shift()) {
      if (!(await run(script))) failed++;
    }
  }),
);
if (failed > 0) {
  process.stderr.write(`\n${failed} of ${scripts.length} checks failed.\n`);
  process.exit(1);
}
