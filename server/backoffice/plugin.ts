import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Services } from '../services.ts';
import type { AstroRender } from '../plugins/astro-ssr.ts';
import type { StaffLocal } from '../astro-locals.ts';
import { setFlash, takeFlash, validateSession, type ValidSession } from '../auth/sessions.ts';
import { findChallenge } from '../auth/sign-in.ts';
import { csrfTokenFor, csrfTokenMatches, isSameOrigin } from '../auth/csrf.ts';
import { clearStaffCookie, readCookie, setStaffCookie, staffCookieNames } from '../auth/cookies.ts';
import { randomToken } from '../security/tokens.ts';
import { ALL_ROLES } from '../staff/roles.ts';
import type { Access, FormBody, RouteResult, StaffRoute } from './http.ts';
import { safeReturnPath } from './http.ts';
import { staffRoutes } from './route-table.ts';

declare module 'fastify' {
  interface FastifyRequest {
    staffSession?: ValidSession | null;
    /** What this browser's CSRF token is bound to (session id, sign-in challenge, or a pre-sign-in cookie). */
    csrfBinding?: string | null;
  }
  interface FastifyContextConfig {
    /** Who may use a back-office route. Every route in the /staff scope must say; the gate refuses the rest. */
    staffAccess?: Access;
  }
}

export interface BackofficeOptions {
  config: AppConfig;
  services: Services;
  /** Defaults to the route table; tests may pass extra routes. */
  routes?: readonly StaffRoute[];
}

const SIGN_IN_PATH = '/staff/sign-in';

/**
 * Everything under /staff: the deny-by-default gate, CSRF and origin checks, and the routes of the route table.
 * Runs inside the Astro scope (astroSsrRoutes' `prepare`), so screens render through Astro with their data.
 */
export function backofficePrepare(options: BackofficeOptions) {
  const { config, services } = options;
  const routes = options.routes ?? staffRoutes;
  const names = staffCookieNames(config.servedOverHttps);
  const allowedOrigin = new URL(config.publicBaseUrl).origin;

  return async (scope: FastifyInstance, renderAstro: AstroRender): Promise<void> => {
    // Form posts are parsed here; Astro pages are GET-only, so nothing else needs the raw body.
    await scope.register(formbody, { bodyLimit: 64 * 1024 });

    scope.addHook('onRoute', (route) => {
      if (!route.config?.staffAccess) {
        throw new Error(
          `${String(route.method)} ${route.url} is in the /staff scope without an access rule: add it to the route table.`,
        );
      }
    });

    const renderResult = async (request: FastifyRequest, reply: FastifyReply, result: RouteResult): Promise<void> => {
      const session = request.staffSession ?? null;
      if (result.kind === 'redirect') {
        if (result.flash && session) setFlash(services.db, services.keyring, session.id, result.flash);
        await reply.redirect(result.to, 303);
        return;
      }
      if (result.kind === 'download') {
        await reply
          .code(200)
          .header('Content-Type', result.contentType)
          .header('Content-Disposition', `attachment; filename="${result.filename.replace(/[^A-Za-z0-9._-]/g, '_')}"`)
          .send(result.body);
        return;
      }
      const page = result.kind === 'render' ? result.page : ({ kind: 'not_found', status: 404 } as const);
      const flash = session?.hasFlash ? takeFlash(services.db, services.keyring, session.id) : null;
      await renderAstro(request, reply, { page, flash });
    };

    // The gate. Runs for every request in the scope before anything else looks at it.
    scope.addHook('onRequest', async (request, reply) => {
      const access = request.routeOptions.config.staffAccess;
      if (!access) {
        await reply.code(404).type('text/plain; charset=utf-8').send('Not found');
        return reply;
      }
      const now = services.clock.now();
      const check = validateSession(services.db, readCookie(request, names.session), now);
      request.staffSession = check.kind === 'valid' ? check.session : null;
      request.staff = check.kind === 'valid' ? toStaffLocal(check.session) : null;
      if (check.kind === 'expired') clearStaffCookie(reply, config.servedOverHttps, names.session);

      if (access.kind === 'staff') {
        const session = request.staffSession;
        if (!session) {
          const query = new URLSearchParams();
          const next = request.method === 'GET' ? safeReturnPath(request.url) : null;
          if (next && next !== '/staff' && next !== '/staff/') query.set('next', next);
          if (check.kind === 'expired') query.set('ended', check.reason);
          const search = query.toString();
          await reply.redirect(search ? `${SIGN_IN_PATH}?${search}` : SIGN_IN_PATH, 303);
          return reply;
        }
        request.csrfBinding = `session:${session.id}`;
        request.csrfTokenForPage = csrfTokenFor(config.sessionSecret, request.csrfBinding);
        if (!access.roles.includes(session.staff.role)) {
          request.log.info({ role: session.staff.role }, 'staff route refused for role');
          await renderResult(request, reply, { kind: 'render', page: { kind: 'forbidden', status: 403 } });
          return reply;
        }
        return;
      }
      if (access.kind === 'challenge') {
        const challenge = findChallenge(services.db, readCookie(request, names.challenge), now);
        if (!challenge) {
          await reply.redirect(`${SIGN_IN_PATH}?problem=expired`, 303);
          return reply;
        }
        request.csrfBinding = `challenge:${challenge.id}`;
      } else {
        let value = readCookie(request, names.csrf);
        if (!value || !/^[A-Za-z0-9_-]{43}$/.test(value)) {
          value = randomToken(32);
          setStaffCookie(reply, config.servedOverHttps, names.csrf, value);
        }
        request.csrfBinding = `anonymous:${value}`;
      }
      request.csrfTokenForPage = csrfTokenFor(config.sessionSecret, request.csrfBinding);
    });

    // Every state-changing request: our own origin, and the token of this browser's session.
    scope.addHook('preHandler', async (request, reply) => {
      if (request.method === 'GET' || request.method === 'HEAD') return;
      const originOk = isSameOrigin(
        allowedOrigin,
        header(request.headers.origin),
        header(request.headers.referer),
        header(request.headers['sec-fetch-site']),
      );
      const body = (request.body ?? {}) as FormBody;
      const tokenOk = !!request.csrfBinding && csrfTokenMatches(config.sessionSecret, request.csrfBinding, body._csrf);
      if (originOk && tokenOk) return;
      request.log.warn({ originOk, tokenOk }, 'staff form refused: CSRF or origin check failed');
      await renderResult(request, reply, { kind: 'render', page: { kind: 'csrf_failed', status: 403 } });
      return reply;
    });

    for (const route of routes) {
      scope.route({
        method: route.method,
        url: route.path,
        config: { staffAccess: route.access, ...(route.rateLimit ? { rateLimit: route.rateLimit } : {}) },
        handler: async (request, reply) => {
          const result = await route.run({
            request,
            reply,
            services,
            config,
            now: services.clock.now(),
            params: (request.params ?? {}) as Record<string, string>,
            query: firstValues(request.query),
            body: (request.body ?? {}) as FormBody,
            staff: request.staffSession?.staff ?? null,
            session: request.staffSession ?? null,
          });
          await renderResult(request, reply, result);
        },
      });
    }

    // Anything else under /staff: signed-in staff get "page not found"; everyone else is sent to sign in first,
    // so the back office does not reveal which addresses exist.
    scope.get('/staff/*', { config: { staffAccess: { kind: 'staff', roles: ALL_ROLES } } }, async (request, reply) => {
      const rest = (request.params as Record<string, string>)['*'];
      if (rest === '') return reply.redirect('/staff', 303);
      await renderResult(request, reply, { kind: 'not_found' });
    });
  };
}

function toStaffLocal(session: ValidSession): StaffLocal {
  const { id, name, role, officeIds } = session.staff;
  return { id, name, role, officeIds };
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function firstValues(query: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (!query || typeof query !== 'object') return result;
  for (const [key, value] of Object.entries(query as Record<string, unknown>)) {
    if (typeof value === 'string') result[key] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') result[key] = value[0];
  }
  return result;
}
