import { describe, expect, it } from 'vitest';
import { cpSync, mkdirSync, mkdtempSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../../../server/paths.ts';
import type * as BuildModule from '../../../tools/build.mjs';

type BuildTools = typeof BuildModule;

/**
 * A small project with the real tools/build.mjs: a site page that imports server/referrals/questions.ts (as
 * /refer does), a server file the site does not import, a server entry and one script. The Astro build
 * itself is stood in for by its output file; everything else is the real code.
 */
async function project(): Promise<{ dir: string; tools: BuildTools; write(path: string, text: string): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'portal-build-'));
  const write = (path: string, text: string) => {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  cpSync(join(projectRoot, 'tools'), join(dir, 'tools'), { recursive: true });
  symlinkSync(join(projectRoot, 'node_modules'), join(dir, 'node_modules'));
  write('package.json', '{"name":"x","type":"module"}');
  write('package-lock.json', '{"lockfileVersion":3}');
  write('tsconfig.json', '{}');
  write('astro.config.mjs', 'export default {};');
  write(
    'site/pages/refer.astro',
    "---\nimport { questions } from '../../server/referrals/questions.ts';\n---\n<p>{questions}</p>\n",
  );
  write('server/referrals/questions.ts', "import { label } from './labels.ts';\nexport const questions = label;\n");
  write('server/referrals/labels.ts', "export const label = 'Name';\n");
  write('server/unrelated.ts', 'export const x = 1;\n');
  write('server/main.ts', "import { x } from './unrelated.ts';\nconsole.log(x);\n");
  write('scripts/one.ts', "console.log('one');\n");
  write('dist/server/entry.mjs', 'export const handler = () => {};\n');
  const tools = (await import(pathToFileURL(join(dir, 'tools/build.mjs')).href)) as BuildTools;
  await tools.recordSiteBuild();
  await tools.buildApp();
  return { dir, tools, write };
}

describe('what makes a rebuild (tools/build.mjs)', () => {
  it('rebuilds the site when a server file it is built from changes, even one imported indirectly', async () => {
    const p = await project();
    expect(p.tools.siteStaleReason()).toBeNull();
    p.write(
      'server/referrals/questions.ts',
      "import { label } from './labels.ts';\nexport const questions = label + '?';\n",
    );
    expect(p.tools.siteStaleReason()).toBe('server/referrals/questions.ts changed');
    await p.tools.recordSiteBuild();
    p.write('server/referrals/labels.ts', "export const label = 'Full name';\n");
    expect(p.tools.siteStaleReason()).toBe('server/referrals/labels.ts changed');
  });

  it('does not rebuild the site for a server file it does not read, nor for an npm install that changed nothing', async () => {
    const p = await project();
    p.write('server/unrelated.ts', 'export const x = 2;\n');
    expect(p.tools.siteStaleReason()).toBeNull();
    // npm install rewrites package-lock.json with the same content: a newer time is not a change.
    const later = new Date(Date.now() + 60_000);
    utimesSync(join(p.dir, 'package-lock.json'), later, later);
    expect(p.tools.siteStaleReason()).toBeNull();
    p.write('package-lock.json', '{"lockfileVersion":3,"packages":{}}');
    expect(p.tools.siteStaleReason()).toBe('package-lock.json changed');
  });

  it('rebuilds the site for a new page, and the compiled server for changed code or a new script', async () => {
    const p = await project();
    expect(p.tools.appStaleReason()).toBeNull();
    p.write('site/pages/new.astro', '<p>new</p>\n');
    expect(p.tools.siteStaleReason()).toBe('files were added to or removed from site/');
    p.write('server/unrelated.ts', 'export const x = 3;\n');
    expect(p.tools.appStaleReason()).toBe('server/unrelated.ts changed');
    await p.tools.buildApp();
    p.write('scripts/two.ts', "console.log('two');\n");
    expect(p.tools.appStaleReason()).toBe('scripts/ has new or removed scripts');
    await p.tools.buildApp();
    expect(p.tools.appStaleReason()).toBeNull();
    expect(p.tools.appEntries()).toEqual(['server/main.ts', 'scripts/one.ts', 'scripts/two.ts']);
  });
});
