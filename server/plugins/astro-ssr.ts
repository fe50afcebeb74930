import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import type { StaffLocal, RequestLocal } from '../astro-locals.ts';

export type AstroHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: undefined,
  locals: { staff: StaffLocal | null; services: Services; request: RequestLocal },
) => Promise<void> | void;

export interface AstroSsrOptions {
  handler: AstroHandler;
  services: Services;
  /** Hooks that must run before Astro renders (session, sign-in checks), registered inside this scope. */
  prepare?: (scope: FastifyInstance) => Promise<void> | void;
}

declare module 'fastify' {
  interface FastifyRequest {
    staff?: StaffLocal | null;
    csrfTokenForPage?: string | null;
  }
}

/**
 * Mounts Astro's on-request pages under /staff in their own scope. The body stream is left untouched
 * for Astro, the reply is hijacked so Astro writes it, and `next` is omitted so unknown /staff URLs
 * get Astro's 404 page rather than Fastify's JSON one.
 */
export async function astroSsrRoutes(app: FastifyInstance, opts: AstroSsrOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));
  if (opts.prepare) await opts.prepare(app);

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Robots-Tag', 'noindex, nofollow');
  });

  const render = async (request: FastifyRequest, reply: FastifyReply) => {
    // Headers set on the Fastify reply are not sent once hijacked; copy them onto the raw response.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | number | readonly string[]);
    }
    reply.hijack();
    await opts.handler(request.raw, reply.raw, undefined, {
      staff: request.staff ?? null,
      services: opts.services,
      request: { id: request.id, csrfToken: request.csrfTokenForPage ?? null },
    });
  };
  app.get('/staff', render);
  app.get('/staff/*', render);
}
