import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';
// Plain JS shared with the Astro build, which writes the .br and .gz files this plugin serves.
import { brotli, COMPRESSIBLE, gzip } from '../../scripts/precompress.mjs';
import { builtPage, clientDir } from '../site-files.ts';
import { leafletForBaseUrl, LEAFLET_PATH } from '../leaflet.ts';

const CONTENT_TYPES: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  mjs: 'text/javascript; charset=utf-8',
  json: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  svg: 'image/svg+xml',
  ico: 'image/x-icon',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  avif: 'image/avif',
  woff2: 'font/woff2',
  pdf: 'application/pdf',
};

type Encoding = 'br' | 'gzip' | 'identity';

interface Variant {
  body: Buffer;
  etag: string;
}

/** One public file, held in memory with its compressed forms. */
export interface SiteFile {
  contentType: string;
  cacheControl: string;
  lastModified: string;
  identity: Variant;
  /** Present for text files: read from the build's .br/.gz files, made once at start only if they are missing. */
  br?: Variant;
  gzip?: Variant;
}

export interface LoadedSite {
  files: Map<string, SiteFile>;
  /** Files whose .br or .gz the build had not written (an older build): compressed once at start instead. */
  compressedAtStart: number;
}

function etagOf(body: Buffer, suffix: string): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}${suffix}"`;
}

/**
 * Reads the whole built public site (a few hundred KB) into memory: serving a page then touches neither the disk
 * nor libuv's thread pool (which password hashing also uses), nor zlib.
 */
export function loadSite(root: string): LoadedSite {
  const files = new Map<string, SiteFile>();
  let compressedAtStart = 0;
  if (!existsSync(root)) return { files, compressedAtStart };
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      const stat = statSync(full);
      if (stat.isDirectory()) {
        walk(full);
        continue;
      }
      if (name.endsWith('.br') || name.endsWith('.gz')) continue;
      const urlPath = `/${relative(root, full).split(sep).join('/')}`;
      const extension = name.includes('.') ? name.slice(name.lastIndexOf('.') + 1).toLowerCase() : '';
      const raw = readFileSync(full);
      const file: SiteFile = {
        contentType: CONTENT_TYPES[extension] ?? 'application/octet-stream',
        // Hashed assets never change; pages are revalidated so content corrections reach readers at once.
        cacheControl: urlPath.startsWith('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache',
        lastModified: stat.mtime.toUTCString(),
        identity: { body: raw, etag: etagOf(raw, '') },
      };
      if (COMPRESSIBLE.test(name)) {
        const fromBuild = (suffix: string) =>
          existsSync(`${full}${suffix}`) ? readFileSync(`${full}${suffix}`) : null;
        let br = fromBuild('.br');
        let gz = fromBuild('.gz');
        if (!br || !gz) compressedAtStart++;
        br ??= brotli(raw);
        gz ??= gzip(raw);
        // Only worth sending when smaller (a tiny file can grow).
        if (br.length < raw.length) file.br = { body: br, etag: etagOf(raw, '-br') };
        if (gz.length < raw.length) file.gzip = { body: gz, etag: etagOf(raw, '-gz') };
      }
      files.set(urlPath, file);
    }
  };
  walk(root);
  return { files, compressedAtStart };
}

/** The same file with another body (the leaflet filled in at start), compressed once. */
function withBody(file: SiteFile, html: string): SiteFile {
  const raw = Buffer.from(html, 'utf8');
  const br = brotli(raw);
  const gz = gzip(raw);
  return {
    ...file,
    identity: { body: raw, etag: etagOf(raw, '') },
    ...(br.length < raw.length ? { br: { body: br, etag: etagOf(raw, '-br') } } : { br: undefined }),
    ...(gz.length < raw.length ? { gzip: { body: gz, etag: etagOf(raw, '-gz') } } : { gzip: undefined }),
  };
}

/** The best encoding the client accepts that we hold: brotli, then gzip, else the file as it is. */
export function chooseEncoding(acceptEncoding: string | undefined, file: SiteFile): Encoding {
  if (!acceptEncoding || (!file.br && !file.gzip)) return 'identity';
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [token, ...params] = part.trim().toLowerCase().split(';');
    if (!token) continue;
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
    accepted.set(token, q === undefined ? 1 : Number(q));
  }
  const allows = (name: string) => (accepted.get(name) ?? accepted.get('*') ?? 0) > 0;
  if (file.br && allows('br')) return 'br';
  if (file.gzip && allows('gzip')) return 'gzip';
  return 'identity';
}

/**
 * The prerendered public site from dist/client, served from memory with the brotli or gzip file the build made
 * (Content-Encoding and Vary: Accept-Encoding), so a public page costs no compression, disk or thread-pool work
 * and never waits behind sign-in hashing. Hashed assets under /_astro are cached forever; everything else is
 * revalidated (ETag per encoding, 304 on a match).
 */
export const staticSitePlugin = fp<{ root?: string; publicBaseUrl?: string }>(
  async (app, opts) => {
    const root = opts.root ?? clientDir;
    const site = loadSite(root);
    // The leaflet's QR code and printed address follow the PUBLIC_BASE_URL this server runs with: filled in once
    // at start and compressed then, so it is served from memory like every other page.
    const leaflet = opts.publicBaseUrl ? await leafletForBaseUrl(root, opts.publicBaseUrl) : null;
    const builtLeaflet = site.files.get(`${LEAFLET_PATH}index.html`);
    if (leaflet && builtLeaflet) site.files.set(`${LEAFLET_PATH}index.html`, withBody(builtLeaflet, leaflet));
    if (site.compressedAtStart > 0) {
      app.log.warn(
        { files: site.compressedAtStart },
        'the site build has no .br/.gz files for some pages (an older build): compressed them once at start',
      );
    }

    const serve = async (request: FastifyRequest, reply: FastifyReply) => {
      const rawPath = request.url.split('?')[0] ?? '/';
      let path: string;
      try {
        path = decodeURIComponent(rawPath);
      } catch {
        return reply.callNotFound();
      }
      const file = site.files.get(path.endsWith('/') ? `${path}index.html` : path);
      if (!file && !path.endsWith('/') && site.files.has(`${path}/index.html`)) {
        // A folder asked for without its slash: send him to the page's real address, keeping any query.
        const query = request.url.slice(rawPath.length);
        return reply.redirect(`${rawPath}/${query}`, 301);
      }
      if (!file) return reply.callNotFound();
      const encoding = chooseEncoding(request.headers['accept-encoding'], file);
      const variant = encoding === 'br' ? file.br! : encoding === 'gzip' ? file.gzip! : file.identity;
      reply
        .header('Content-Type', file.contentType)
        .header('Cache-Control', file.cacheControl)
        .header('Last-Modified', file.lastModified)
        .header('ETag', variant.etag);
      if (file.br || file.gzip) reply.header('Vary', 'Accept-Encoding');
      if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === variant.etag)) {
        return reply.code(304).send();
      }
      return reply.header('Content-Length', variant.body.length).send(variant.body);
    };

    // Already compressed: @fastify/compress must leave these replies alone.
    app.get('/*', { compress: false }, serve);

    app.setNotFoundHandler(
      { preHandler: app.rateLimit({ max: 120, timeWindow: '1 minute' }) },
      async (request, reply) => {
        if (request.url.startsWith('/api/') || request.url === '/api') {
          return reply.code(404).send({ error: 'not_found', message: 'There is nothing at this address.' });
        }
        // The built 404 page from memory, precompressed like every other page.
        const page = site.files.get('/404.html');
        if (page) {
          const encoding = chooseEncoding(request.headers['accept-encoding'], page);
          const variant = encoding === 'br' ? page.br! : encoding === 'gzip' ? page.gzip! : page.identity;
          reply.code(404).header('Content-Type', page.contentType).header('Cache-Control', 'no-cache');
          if (page.br || page.gzip) reply.header('Vary', 'Accept-Encoding');
          if (encoding !== 'identity') reply.header('Content-Encoding', encoding);
          return reply.send(variant.body);
        }
        return reply
          .code(404)
          .type('text/html; charset=utf-8')
          .header('Cache-Control', 'no-cache')
          .send(builtPage('404.html', root));
      },
    );
  },
  { name: 'static-site', dependencies: ['security', 'compression'] },
);
