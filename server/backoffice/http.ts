import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppConfig } from '../config.ts';
import type { Services } from '../services.ts';
import type { Flash, SessionStaff, ValidSession } from '../auth/sessions.ts';
import type { StaffRole } from '../staff/roles.ts';
import type { BackofficePage } from './pages.ts';

/**
 * The shape of every back-office route. The route table (route-table.ts) is one list of these; the plugin turns it
 * into Fastify routes behind one deny-by-default gate, and the role-by-route test reads the same list.
 */

export type Access =
  /** Anyone: sign-in and enrolment pages. */
  | { kind: 'public' }
  /** Someone part-way through signing in (password typed, code not yet). */
  | { kind: 'challenge' }
  /** A fully signed-in member of staff with one of these roles. */
  | { kind: 'staff'; roles: readonly StaffRole[] };

export type FormBody = Record<string, string | string[] | undefined>;

export interface RouteContext {
  request: FastifyRequest;
  reply: FastifyReply;
  services: Services;
  config: AppConfig;
  now: Date;
  params: Record<string, string>;
  query: Record<string, string>;
  body: FormBody;
}

export interface StaffRouteContext extends RouteContext {
  staff: SessionStaff;
  session: ValidSession;
}

export type RouteResult =
  | { kind: 'render'; page: BackofficePage }
  /** 303 See Other: the browser follows with a GET (post, redirect, get). */
  | { kind: 'redirect'; to: string; flash?: Flash }
  | { kind: 'not_found' }
  /** A file to save (an export): sent as an attachment, never cached. */
  | { kind: 'download'; filename: string; contentType: string; body: string };

export interface StaffRoute {
  method: 'GET' | 'POST';
  path: string;
  access: Access;
  /** Per-route request limit from @fastify/rate-limit, on top of the sign-in lockouts. */
  rateLimit?: { max: number; timeWindow: string };
  /** Example path parameters for generated tests (role-by-route matrix). */
  exampleParams?: Record<string, string>;
  run(
    ctx: RouteContext & { staff: SessionStaff | null; session: ValidSession | null },
  ): Promise<RouteResult> | RouteResult;
}

type StaffHandler = (ctx: StaffRouteContext) => Promise<RouteResult> | RouteResult;
type PublicHandler = (ctx: RouteContext) => Promise<RouteResult> | RouteResult;

export function staffRoute(
  method: 'GET' | 'POST',
  path: string,
  roles: readonly StaffRole[],
  handler: StaffHandler,
  extra: Pick<StaffRoute, 'rateLimit' | 'exampleParams'> = {},
): StaffRoute {
  return {
    method,
    path,
    access: { kind: 'staff', roles },
    ...extra,
    run(ctx) {
      // The gate has already refused anyone without a session and role; this is a second, local guarantee.
      if (!ctx.staff || !ctx.session || !roles.includes(ctx.staff.role))
        throw new Error('staff route reached without access');
      return handler({ ...ctx, staff: ctx.staff, session: ctx.session });
    },
  };
}

export function publicRoute(
  method: 'GET' | 'POST',
  path: string,
  handler: PublicHandler,
  extra: Partial<Pick<StaffRoute, 'rateLimit' | 'access'>> = {},
): StaffRoute {
  return {
    method,
    path,
    access: extra.access ?? { kind: 'public' },
    ...(extra.rateLimit ? { rateLimit: extra.rateLimit } : {}),
    run: handler,
  };
}

export const render = (page: BackofficePage): RouteResult => ({ kind: 'render', page });
export const redirect = (to: string, flash?: Flash): RouteResult =>
  flash ? { kind: 'redirect', to, flash } : { kind: 'redirect', to };
export const notFound = (): RouteResult => ({ kind: 'not_found' });

/** A single text value from a form or query; repeated keys keep the first. */
export function field(source: FormBody | Record<string, string>, name: string): string {
  const value = source[name];
  if (Array.isArray(value)) return value[0] ?? '';
  return typeof value === 'string' ? value : '';
}

/** Every value of a repeated field (checkboxes). */
export function fieldList(source: FormBody, name: string): string[] {
  const value = source[name];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return typeof value === 'string' && value !== '' ? [value] : [];
}

/** A local /staff path to go back to after signing in; anything else (other sites, //host) is dropped. */
export function safeReturnPath(value: string | undefined | null): string | null {
  if (!value) return null;
  if (!/^\/staff(\/[A-Za-z0-9\-_/]*)?(\?[A-Za-z0-9=&\-_%.]*)?$/.test(value)) return null;
  if (value.startsWith('/staff/sign-in') || value.startsWith('/staff/enrol') || value.startsWith('/staff/sign-out'))
    return null;
  return value;
}
