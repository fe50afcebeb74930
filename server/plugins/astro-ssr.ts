import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Services } from '../services.ts';
import { sendAstroPage } from './astro-page.ts';
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
 * Mounts Astro's on-request pages under /staff in their own scope. Each page is rendered into memory and sent
 * by Fastify (so it is compressed and keeps the reply's headers and cookies), and `next` is omitted so unknown
 * /staff URLs get Astro's 404 page rather than Fastify's JSON one.
 */
export async function astroSsrRoutes(app: FastifyInstance, opts: AstroSsrOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null));

  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store');
    reply.header('X-Robots-Tag', 'noindex, nofollow');
  });

  const render: AstroRender = async (request, reply, extras = {}) => {
    await sendAstroPage(opts.handler, request, reply, {
      staff: request.staff ?? null,
      services: opts.services,
      request: { id: request.id, csrfToken: request.csrfTokenForPage ?? null, flash: extras.flash ?? null },
      page: extras.page ?? null,
    });
  };
  if (opts.prepare) await opts.prepare(app, render);
  if (!app.hasRoute({ method: 'GET', url: '/staff' })) app.get('/staff', render);
  if (!app.hasRoute({ method: 'GET', url: '/staff/*' })) app.get('/staff/*', render);
}
