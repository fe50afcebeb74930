import formbody from '@fastify/formbody';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Services } from '../services.ts';
import type { AstroRender } from '../plugins/astro-ssr.ts';
import type { StaffLocal } from '../astro-locals.ts';
import {
  IDLE_TIMEOUT_MS,
  sessionIdFor,
  setFlash,
  takeFlash,
  validateSession,
  type ValidSession,
} from '../auth/sessions.ts';
import { draftValues, hasFormDraft, saveFormDraft, takeFormDraft } from '../auth/form-drafts.ts';
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
    /** A form posted after this browser's session ended: kept for its owner, then they sign in again. */
    lateForm?: { staffId: string; sessionId: string; reason: 'idle' | 'absolute' } | null;
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
  // Staff screens (GET routes), to find the screen a late form belongs to.
  const screenPatterns = routes
    .filter((route) => route.method === 'GET' && route.access.kind === 'staff')
    .map((route) => new RegExp(`^${route.path.replace(/:[A-Za-z]+/g, '[^/]+').replace(/\./g, '\\.')}$`));

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
      request.staff = check.kind === 'valid' ? toStaffLocal(check.session, now) : null;
      if (check.kind === 'expired') clearStaffCookie(reply, config.servedOverHttps, names.session);

      if (access.kind === 'staff') {
        const session = request.staffSession;
        if (!session && request.method === 'POST' && check.kind === 'expired' && check.reason !== 'disabled') {
          // Let the body be parsed: the preHandler keeps what was typed, then sends them to sign in.
          request.lateForm = {
            staffId: check.staffId,
            sessionId: sessionIdFor(readCookie(request, names.session) ?? ''),
            reason: check.reason,
          };
          return;
        }
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
        // Back after the idle timeout: put a kept form back on the screen it came from, once.
        if (request.method === 'GET' && hasFormDraft(services.db, session.staff.id)) {
          const path = safeReturnPath(request.url);
          const draft = takeFormDraft(services.db, services.keyring, session.staff.id, now);
          if (draft && path === draft.returnPath) {
            setFlash(services.db, services.keyring, session.id, {
              form: draft.form,
              values: draft.values,
              messages: [
                {
                  kind: 'warning',
                  text: 'You were signed out before this form was sent. What you typed is back in the form below: check it, then send it again.',
                },
              ],
            });
            session.hasFlash = true;
          } else if (draft) {
            // Signed in on another screen: keep it, and go to the screen it belongs to.
            saveFormDraft(services.db, services.keyring, session.staff.id, draft, now);
            await reply.redirect(draft.returnPath, 303);
            return reply;
          }
        }
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
      if (request.lateForm) {
        const late = request.lateForm;
        const body = (request.body ?? {}) as FormBody;
        const fromUs =
          isSameOrigin(
            allowedOrigin,
            header(request.headers.origin),
            header(request.headers.referer),
            header(request.headers['sec-fetch-site']),
          ) && csrfTokenMatches(config.sessionSecret, `session:${late.sessionId}`, body._csrf);
        const returnPath = formReturnPath(allowedOrigin, header(request.headers.referer), request.url, screenPatterns);
        const query = new URLSearchParams({ ended: late.reason });
        if (fromUs) {
          saveFormDraft(
            services.db,
            services.keyring,
            late.staffId,
            { returnPath, form: formNameFor(request.url), values: draftValues(body) },
            services.clock.now(),
          );
          query.set('ended', `${late.reason}-kept`);
        }
        if (returnPath !== '/staff') query.set('next', returnPath);
        await reply.redirect(`${SIGN_IN_PATH}?${query.toString()}`, 303);
        return reply;
      }
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

/** The flash `form` name each record form uses, from the address it posts to. */
const FORM_NAMES: Record<string, string> = {
  'contact-attempts': 'contact',
  appointments: 'appointment',
  notes: 'notes',
  status: 'status',
  priority: 'priority',
  assign: 'assign',
  incidents: 'incident',
  close: 'status',
};

export function formNameFor(url: string): string {
  // A form about one appointment is named after it (as its route names its errors): the right one reopens.
  const appointment = /\/appointments\/([0-9a-f-]{36})\/(reschedule|cancel|outcome)(?:\?|$)/.exec(url);
  if (appointment) return `${appointment[2] === 'cancel' ? 'cancel' : 'appointment'}-${appointment[1]}`;
  const last = url.split('?')[0]!.split('/').filter(Boolean).pop() ?? '';
  return FORM_NAMES[last] ?? last;
}

/** The screen a form was on: its Referer when that is one of our /staff pages, else the record it posts to. */
export function formReturnPath(
  origin: string,
  referer: string | undefined,
  postUrl: string,
  screens: readonly RegExp[] = [],
): string {
  if (referer) {
    try {
      const url = new URL(referer);
      const path = url.origin === origin ? safeReturnPath(`${url.pathname}${url.search}`) : null;
      if (path) return path;
    } catch {
      // Not a URL: fall through.
    }
  }
  const record = /^\/staff\/referrals\/[0-9a-f-]{36}/.exec(postUrl);
  if (record) return record[0];
  // Otherwise the nearest screen above the address it posts to (…/staff/:id/disable -> …/staff/:id).
  const path = postUrl.split('?')[0]!;
  for (
    let candidate = path;
    candidate.lastIndexOf('/') > 0;
    candidate = candidate.slice(0, candidate.lastIndexOf('/'))
  ) {
    if (screens.some((pattern) => pattern.test(candidate))) return safeReturnPath(candidate) ?? '/staff';
  }
  return '/staff';
}

function toStaffLocal(session: ValidSession, now: Date): StaffLocal {
  const { id, name, role, officeIds } = session.staff;
  // Activity is noted at most once a minute (sessions.ts), so the idle limit may come up to a minute early.
  const idleAt = now.getTime() + IDLE_TIMEOUT_MS - 60_000;
  return {
    id,
    name,
    role,
    officeIds,
    signOutAt: new Date(Math.min(idleAt, session.expiresAt.getTime())),
    absoluteSignOutAt: session.expiresAt,
  };
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
