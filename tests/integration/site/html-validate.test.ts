/** Every built page is valid HTML by html-validate's recommended rules (.htmlvalidate.json). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSystemConfigLoader, HtmlValidate, formatterFactory } from 'html-validate';
import { projectRoot } from '../../../server/site-files.ts';
import { builtFileFor, builtPages } from './support.ts';

const loader = new FileSystemConfigLoader();
const validator = new HtmlValidate(loader);
const stylish = formatterFactory('stylish');

describe('html-validate over the built site', () => {
  it('uses the project config, which extends html-validate:recommended', async () => {
    const config = JSON.parse(readFileSync(join(projectRoot, '.htmlvalidate.json'), 'utf8')) as { extends?: string[] };
    expect(config.extends).toContain('html-validate:recommended');
    // The validator really reports problems (so the test below can fail).
    const bad = await validator.validateString(
      '<!doctype html><html lang="en"><head><title>x</title></head><body><p><div></div></p><img src="a.png"></body></html>',
      join(projectRoot, 'dist/client/bad.html'),
    );
    expect(bad.valid).toBe(false);
  });

  it.each(builtPages())('%s is valid', async (path) => {
    const report = await validator.validateFile(builtFileFor(path));
    expect(report.valid, stylish(report.results)).toBe(true);
  });
});
