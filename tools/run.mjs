// @ts-check
/**
 * Runs the compiled portal: `node tools/run.mjs server` (npm start) or `node tools/run.mjs <script> [args]`
 * (npm run staff:add and the other scripts). If dist/ is missing or out of date (see tools/build.mjs) it says
 * so and builds first, so `npm install && npm start` works on a fresh clone. The compiled code is then loaded
 * into this same process: there is no wrapper process, so SIGTERM and SIGINT reach the server directly.
 *
 * In production, build once (`npm run build`) and run `node dist/app/server/main.js` directly.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { appStaleReason, build, root, siteStaleReason } from './build.mjs';

/** Entry points that render pages and so need the Astro build as well as the compiled code. */
const NEEDS_SITE = new Set(['server', 'bench-inbox']);

const [target, ...args] = process.argv.slice(2);
if (!target) {
  process.stderr.write('Usage: node tools/run.mjs server | <script name> [arguments]\n');
  process.exit(2);
}
const compiled =
  target === 'server' ? join(root, 'dist/app/server/main.js') : join(root, 'dist/app/scripts', `${target}.js`);
if (target !== 'server' && !existsSync(join(root, 'scripts', `${target}.ts`))) {
  process.stderr.write(`There is no script called ${target} in scripts/.\n`);
  process.exit(2);
}

const needsSite = NEEDS_SITE.has(target);
const reason = (needsSite ? siteStaleReason() : null) ?? appStaleReason();
if (reason) {
  process.stderr.write(`dist/ is not ready (${reason}): building it now with npm run build's steps.\n`);
  try {
    await build({ onlyIfStale: true, site: needsSite, log: (line) => process.stderr.write(`${line}\n`) });
  } catch (error) {
    process.stderr.write(
      `The build failed, so nothing was started: ${error instanceof Error ? error.message : String(error)}\n` +
        'Building needs the development dependencies: run `npm install` (not `npm install --omit=dev`), then `npm run build`.\n',
    );
    process.exit(1);
  }
}

// The compiled script reads its own arguments from process.argv, as if it had been started directly.
process.argv = [process.argv[0] ?? 'node', compiled, ...args];
await import(pathToFileURL(compiled).href);
