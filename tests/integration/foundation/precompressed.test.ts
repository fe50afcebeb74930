import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { precompressDirectory } from '../../../scripts/precompress.mjs';
import { clientDir } from '../../../server/site-files.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';

describe('public files compressed at build time, served as they are', () => {
  let t: TestApp;
  let root: string;
  const page = `<!doctype html><html lang="en-GB"><title>Help</title><h1>Get help now</h1>${'<p>Call 116 123.</p>'.repeat(80)}</html>`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'site-'));
    mkdirSync(join(root, 'about'));
    mkdirSync(join(root, '_astro'));
    writeFileSync(join(root, 'index.html'), page);
    writeFileSync(join(root, 'about', 'index.html'), page.replace('Help', 'About'));
    writeFileSync(join(root, '_astro', 'site.abc123.css'), 'body { color: #111; }\n'.repeat(60));
    writeFileSync(join(root, 'tiny.txt'), 'hi');
    writeFileSync(join(root, '404.html'), page.replace('Help', 'Not found'));
    expect(precompressDirectory(root)).toBe(5);
    t = await buildTestApp({ deps: { clientDir: root } });
    await t.app.ready();
  });
  afterAll(async () => {
    await t.cleanup();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends the brotli file the build wrote, byte for byte, with Content-Encoding and Vary', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip, deflate, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.rawPayload.equals(readFileSync(join(root, 'index.html.br')))).toBe(true);
    expect(brotliDecompressSync(res.rawPayload).toString()).toBe(page);
    expect(String(res.headers['content-security-policy'])).toContain("default-src 'self'");
  });

  it('sends the gzip file to a client without brotli, and the plain file to one that accepts neither', async () => {
    const gz = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip, br;q=0' } });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.rawPayload.equals(readFileSync(join(root, 'index.html.gz')))).toBe(true);
    expect(gunzipSync(gz.rawPayload).toString()).toBe(page);

    const plain = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'identity' } });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.body).toBe(page);
  });

  it('gives each encoding its own ETag and answers 304 to a matching If-None-Match', async () => {
    const br = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'br' } });
    const gz = await t.app.inject({ method: 'GET', url: '/', headers: { 'accept-encoding': 'gzip' } });
    expect(br.headers.etag).not.toBe(gz.headers.etag);
    const again = await t.app.inject({
      method: 'GET',
      url: '/',
      headers: { 'accept-encoding': 'br', 'if-none-match': String(br.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.rawPayload.length).toBe(0);
  });

  it('keeps hashed assets immutable, folders redirect to their slash, HEAD works, unknown paths get the 404 page', async () => {
    const css = await t.app.inject({
      method: 'GET',
      url: '/_astro/site.abc123.css',
      headers: { 'accept-encoding': 'br' },
    });
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(css.headers['content-encoding']).toBe('br');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');

    const folder = await t.app.inject({ method: 'GET', url: '/about?x=1' });
    expect(folder.statusCode).toBe(301);
    expect(folder.headers.location).toBe('/about/?x=1');

    const head = await t.app.inject({ method: 'HEAD', url: '/about/', headers: { 'accept-encoding': 'br' } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');

    // A file too small to gain from compression goes out plain.
    const tiny = await t.app.inject({ method: 'GET', url: '/tiny.txt', headers: { 'accept-encoding': 'br' } });
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.body).toBe('hi');

    for (const url of ['/nothing-here', '/index.html.br', '/../../etc/passwd']) {
      const missing = await t.app.inject({ method: 'GET', url });
      expect(missing.statusCode, url).toBe(404);
    }
    // The 404 page too is sent from memory, already compressed.
    const notFound = await t.app.inject({ method: 'GET', url: '/nothing-here/', headers: { 'accept-encoding': 'br' } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(notFound.rawPayload).toString()).toContain('Not found');
  });
});

describe('the real site build', () => {
  it('writes a brotli and a gzip file beside every page and asset', () => {
    for (const file of ['index.html', 'refer/index.html', '404.html']) {
      if (!existsSync(join(clientDir, file))) continue;
      expect(existsSync(join(clientDir, `${file}.br`)), file).toBe(true);
      expect(existsSync(join(clientDir, `${file}.gz`)), file).toBe(true);
    }
    expect(existsSync(join(clientDir, 'index.html.br'))).toBe(true);
  });
});
