// @ts-check
// Writes `file.br` and `file.gz` beside every compressible file of the built public site, at the strongest
// settings, so the server sends them as they are and a public page costs no compression work per request.
// Run by the Astro build (astro.config.mjs, `astro:build:done`); also `node scripts/precompress.mjs dist/client`.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** Text types worth compressing; images such as PNG are compressed already. */
export const COMPRESSIBLE = /\.(html|css|js|mjs|svg|json|txt|xml|webmanifest|ico)$/;

/** @param {Buffer} raw */
export function brotli(raw) {
  return brotliCompressSync(raw, {
    params: {
      [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
      [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
    },
  });
}

/** @param {Buffer} raw */
export function gzip(raw) {
  return gzipSync(raw, { level: 9 });
}

/**
 * @param {string} dir
 * @returns {number} how many files were compressed
 */
export function precompressDirectory(dir) {
  let count = 0;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) {
      count += precompressDirectory(full);
      continue;
    }
    if (!COMPRESSIBLE.test(name)) continue;
    const raw = readFileSync(full);
    writeFileSync(`${full}.br`, brotli(raw));
    writeFileSync(`${full}.gz`, gzip(raw));
    count++;
  }
  return count;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const dir = process.argv[2] ?? 'dist/client';
  process.stdout.write(`precompressed ${precompressDirectory(dir)} files in ${dir}\n`);
}
