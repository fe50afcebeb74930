import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import type { StaffLocal, RequestLocal, PageLocal } from '../astro-locals.ts';

export interface AstroLocals {
  staff: StaffLocal | null;
  services: Services;
  request: RequestLocal;
  page: PageLocal | null;
}

export type AstroHandler = (
  req: IncomingMessage,
  res: ServerResponse,
  next: undefined,
  locals: AstroLocals,
) => Promise<void> | void;

/** What a route may hand the page besides the defaults: the screen's data and the flash from the last action. */
export interface AstroRenderExtras {
  page?: PageLocal | null;
  flash?: RequestLocal['flash'];
}

/** Renders the request through Astro. From a POST it renders as a GET (the body was consumed by Fastify). */
export type AstroRender = (request: FastifyRequest, reply: FastifyReply, extras?: AstroRenderExtras) => Promise<void>;

export interface AstroSsrOptions {
  handler: AstroHandler;
  services: Services;
  /**
   * Hooks and routes that must run before Astro renders (session, sign-in checks), registered inside this scope.
   * Routes it registers use `render`; if it registers GET /staff and /staff/* itself, the defaults are skipped.
   */
  prepare?: (scope: FastifyInstance, render: AstroRender) => Promise<void> | void;
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

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Robots-Tag', 'noindex, nofollow');
  });

  const render: AstroRender = async (request, reply, extras = {}) => {
    // Headers set on the Fastify reply are not sent once hijacked; copy them onto the raw response.
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) reply.raw.setHeader(name, value as string | number | readonly string[]);
    }
    reply.hijack();
    // Astro would try to read a request body for other methods; Fastify has already consumed it. The method is
    // put back afterwards so the request log still says POST.
    const method = request.raw.method;
    if (method !== 'GET' && method !== 'HEAD') request.raw.method = 'GET';
    try {
      await opts.handler(request.raw, reply.raw, undefined, {
        staff: request.staff ?? null,
        services: opts.services,
        request: { id: request.id, csrfToken: request.csrfTokenForPage ?? null, flash: extras.flash ?? null },
        page: extras.page ?? null,
      });
    } finally {
      request.raw.method = method;
    }
  };
  if (opts.prepare) await opts.prepare(app, render);
  if (!app.hasRoute({ method: 'GET', url: '/staff' })) app.get('/staff', render);
  if (!app.hasRoute({ method: 'GET', url: '/staff/*' })) app.get('/staff/*', render);
}
