import { parse, serialize, type SerializeOptions } from 'cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';

/**
 * Staff cookies. Over https they use the `__Host-` prefix, which browsers only accept with Secure, Path=/ and no
 * Domain: no subdomain or plain-http page can plant or overwrite them. SameSite=Strict keeps them off every
 * request that starts on another site, and HttpOnly keeps them away from scripts.
 */
export interface StaffCookieNames {
  /** The signed-in session. */
  session: string;
  /** The step between password and code. */
  challenge: string;
  /** Binds the CSRF token of forms shown before signing in (sign-in, enrolment). */
  csrf: string;
}

export function staffCookieNames(servedOverHttps: boolean): StaffCookieNames {
  const prefix = servedOverHttps ? '__Host-' : '';
  return { session: `${prefix}sl_staff`, challenge: `${prefix}sl_staff_pending`, csrf: `${prefix}sl_staff_csrf` };
}

function options(servedOverHttps: boolean, extra: SerializeOptions = {}): SerializeOptions {
  return { path: '/', httpOnly: true, sameSite: 'strict', secure: servedOverHttps, ...extra };
}

export function readCookie(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  try {
    return parse(header)[name];
  } catch {
    return undefined;
  }
}

/** Without `maxAgeSeconds` the cookie lasts until the browser closes. */
export function setStaffCookie(
  reply: FastifyReply,
  servedOverHttps: boolean,
  name: string,
  value: string,
  maxAgeSeconds?: number,
): void {
  const cookie = serialize(
    name,
    value,
    options(servedOverHttps, maxAgeSeconds === undefined ? {} : { maxAge: Math.floor(maxAgeSeconds) }),
  );
  appendSetCookie(reply, cookie);
}

export function clearStaffCookie(reply: FastifyReply, servedOverHttps: boolean, name: string): void {
  appendSetCookie(reply, serialize(name, '', options(servedOverHttps, { maxAge: 0, expires: new Date(0) })));
}

function appendSetCookie(reply: FastifyReply, cookie: string): void {
  const existing = reply.getHeader('set-cookie');
  const list = Array.isArray(existing) ? existing.map(String) : existing === undefined ? [] : [String(existing)];
  reply.header('set-cookie', [...list, cookie]);
}
