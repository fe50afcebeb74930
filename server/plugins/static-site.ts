import fp from 'fastify-plugin';
import fastifyStatic from '@fastify/static';
import type { FastifyReply } from 'fastify';
import { builtPage, clientDir } from '../site-files.ts';
import { leafletForBaseUrl, LEAFLET_PATH } from '../leaflet.ts';

/**
 * The prerendered public site from dist/client. Hashed assets under /_astro are cached forever;
 * everything else is revalidated so content corrections reach readers at once.
 */
export const staticSitePlugin = fp<{ root?: string; publicBaseUrl?: string }>(
  async (app, opts) => {
    const root = opts.root ?? clientDir;
    // The leaflet's QR code and printed address follow the PUBLIC_BASE_URL this server runs with.
    const leaflet = opts.publicBaseUrl ? await leafletForBaseUrl(root, opts.publicBaseUrl) : null;
    if (leaflet) {
      for (const url of [LEAFLET_PATH, `${LEAFLET_PATH}index.html`]) {
        app.get(url, async (_request, reply) =>
          reply.type('text/html; charset=utf-8').header('Cache-Control', 'no-cache').send(leaflet),
        );
      }
    }
    await app.register(fastifyStatic, {
      root,
      prefix: '/',
      wildcard: true,
      redirect: true,
      index: ['index.html'],
      cacheControl: false,
      etag: true,
      lastModified: true,
      // @fastify/static 10 passes the Fastify reply here, not the raw response.
      setHeaders(reply: FastifyReply, path: string) {
        reply.header('Cache-Control', path.includes('/_astro/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      },
    });

    app.setNotFoundHandler(
      { preHandler: app.rateLimit({ max: 120, timeWindow: '1 minute' }) },
      async (request, reply) => {
        if (request.url.startsWith('/api/') || request.url === '/api') {
          return reply.code(404).send({ error: 'not_found', message: 'There is nothing at this address.' });
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
