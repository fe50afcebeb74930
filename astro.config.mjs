// @ts-check
import { defineConfig, passthroughImageService } from 'astro/config';
import node from '@astrojs/node';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { precompressDirectory } from './scripts/precompress.mjs';

/**
 * Astro's node handler (Astro 5.18+) only trusts the Host header when it matches
 * security.allowedDomains; otherwise Astro.url falls back to http://localhost and
 * same-origin checks fail. Allow the public origin plus loopback for local runs and tests.
 */
function allowedDomains() {
  /** @type {Array<{ hostname: string; protocol?: string; port?: string }>} */
  const domains = [{ hostname: 'localhost' }, { hostname: '127.0.0.1' }];
  const publicBaseUrl = process.env.PUBLIC_BASE_URL;
  if (publicBaseUrl) {
    const url = new URL(publicBaseUrl);
    domains.push({ hostname: url.hostname, protocol: url.protocol.replace(':', '') });
  }
  return domains;
}

export default defineConfig({
  site: process.env.PUBLIC_BASE_URL ?? 'http://localhost:4321',
  srcDir: './site',
  publicDir: './site/public',
  output: 'static',
  adapter: node({ mode: 'middleware' }),
  trailingSlash: 'ignore',
  build: {
    format: 'directory',
    // No inline <style>: the CSP forbids it (style-src 'self').
    inlineStylesheets: 'never',
  },
  security: {
    allowedDomains: allowedDomains(),
  },
  // No image optimisation is used, so sharp (a native download) is not needed.
  image: { service: passthroughImageService() },
  devToolbar: { enabled: false },
  integrations: [
    {
      // Brotli and gzip files beside each public file, served as they are (server/plugins/static-site.ts).
      name: 'precompress',
      hooks: {
        'astro:build:done': ({ dir }) => {
          const out = fileURLToPath(dir);
          precompressDirectory(existsSync(join(out, 'client')) ? join(out, 'client') : out);
        },
      },
    },
  ],
});
