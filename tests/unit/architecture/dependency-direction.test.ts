import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Dependencies point one way: routes -> domain -> db. Domain folders never import from server/backoffice/ (HTTP):
 * the casework rules, alerts, audit, auth, retention, evaluation... are used by the back office, not the reverse.
 */

const root = join(import.meta.dirname, '..', '..', '..');
const DOMAIN_FOLDERS = [
  'alerts',
  'audit',
  'auth',
  'backup',
  'casework',
  'evaluation',
  'mail',
  'offices',
  'referrals',
  'retention',
  'scheduling',
  'security',
  'staff',
  'triage',
];

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? tsFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [],
  );
}

/** Module specifiers of every import and export ... from, including dynamic import(). */
function importsOf(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/(?:^|\n)\s*(?:import|export)[^'"`;]*?from\s*['"]([^'"]+)['"]/g))
    found.push(match[1]!);
  for (const match of source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(match[1]!);
  return found;
}

describe('dependency direction', () => {
  it('finds the imports it checks', () => {
    expect(
      importsOf("import { a } from '../x.ts';\nexport * from './y.ts';\nconst z = await import('./z.ts');"),
    ).toEqual(['../x.ts', './y.ts', './z.ts']);
  });

  it('no domain folder imports from server/backoffice/', () => {
    const offenders: string[] = [];
    for (const folder of DOMAIN_FOLDERS) {
      for (const file of tsFiles(join(root, 'server', folder))) {
        for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
          if (/(^|\/)backoffice\//.test(specifier)) offenders.push(`${relative(root, file)} imports ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('the back office has no one-line re-exports of casework rules (it imports server/casework directly)', () => {
    const reexports = tsFiles(join(root, 'server', 'backoffice')).filter((file) => {
      const code = readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '' && !line.trim().startsWith('//'));
      return code.length > 0 && code.every((line) => /^export \* from '.*casework\//.test(line.trim()));
    });
    expect(reexports.map((file) => relative(root, file))).toEqual([]);
  });
});
