import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { offices } from '../../../db/schema/offices.ts';
import type { PortalDb } from '../../../db/client.ts';
import { addStaff } from '../../../server/staff/accounts.ts';
import { completeEnrolment, authenticatorSetup, findEnrolment } from '../../../server/auth/enrolment.ts';
import { totpCodeAt } from '../../../server/security/totp.ts';
import type { Keyring } from '../../../server/security/field-encryption.ts';
import type { StaffRole } from '../../../server/staff/roles.ts';
import type { TestApp } from '../../helpers/app.ts';

/**
 * A browser-like client for back-office tests: keeps cookies, picks up the CSRF token from each page, sends our
 * Origin. Signing in goes through the real routes (password, then a TOTP code computed from the enrolment secret).
 */

export const TEST_ORIGIN = 'http://localhost';

export function seedTestOffices(db: PortalDb, now = new Date()): void {
  for (const office of [
    { id: 'leeds', name: 'Leeds office' },
    { id: 'manchester', name: 'Manchester office' },
  ]) {
    db.insert(offices)
      .values({ ...office, nation: 'england-and-wales', createdAt: now })
      .onConflictDoNothing()
      .run();
  }
}

export interface TestStaffMember {
  id: string;
  email: string;
  name: string;
  role: StaffRole;
  password: string;
  totpSecret: string;
  recoveryCodes: string[];
}

let counter = 0;

/** Adds and enrols someone through the domain functions (the enrolment pages have their own tests). */
export async function enrolStaff(
  db: PortalDb,
  keyring: Keyring,
  now: Date,
  options: { role: StaffRole; officeIds?: string[]; name?: string; email?: string },
): Promise<TestStaffMember> {
  counter += 1;
  const email = options.email ?? `${options.role}${counter}.${Date.now()}@saferlives.test`;
  const name = options.name ?? `Test ${options.role} ${counter}`;
  const added = addStaff(
    db,
    { email, name, role: options.role, officeIds: options.officeIds ?? (options.role === 'admin' ? [] : ['leeds']) },
    null,
    now,
  );
  if (added.kind !== 'added') throw new Error(`could not add staff: ${JSON.stringify(added.errors)}`);
  const enrolling = findEnrolment(db, added.enrolmentToken, now)!;
  const setup = await authenticatorSetup(db, keyring, enrolling);
  const totpSecret = setup.typedKey.replace(/\s+/g, '');
  const password = `correct horse battery ${counter} staple`;
  const done = await completeEnrolment(
    db,
    keyring,
    { token: added.enrolmentToken, password, passwordConfirm: password, code: await totpCodeAt(totpSecret, now) },
    now,
  );
  if (done.kind !== 'enrolled') throw new Error(`could not enrol: ${JSON.stringify(done)}`);
  return {
    id: added.staffId,
    email,
    name,
    role: options.role,
    password,
    totpSecret,
    recoveryCodes: done.recoveryCodes,
  };
}

export type Form = Record<string, string | string[]>;

export function encodeForm(form: Form): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(form)) {
    for (const v of Array.isArray(value) ? value : [value]) params.append(key, v);
  }
  return params.toString();
}

export class StaffClient {
  readonly cookies = new Map<string, string>();
  csrf: string | null = null;

  constructor(
    readonly app: FastifyInstance,
    readonly options: { ip?: string; origin?: string } = {},
  ) {}

  private cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  private absorb(res: LightMyRequestResponse): LightMyRequestResponse {
    const setCookie = res.headers['set-cookie'];
    for (const line of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
      const [pair, ...attributes] = line.split(';');
      const [name, ...rest] = pair!.split('=');
      const value = rest.join('=');
      const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a));
      if (expired || value === '') this.cookies.delete(name!.trim());
      else this.cookies.set(name!.trim(), value);
    }
    const token = /name="_csrf" value="([^"]*)"/.exec(res.body)?.[1];
    if (token) this.csrf = token;
    return res;
  }

  async request(options: InjectOptions): Promise<LightMyRequestResponse> {
    const res = await this.app.inject({
      remoteAddress: this.options.ip ?? '127.0.0.1',
      ...options,
      headers: { ...(this.cookies.size ? { cookie: this.cookieHeader() } : {}), ...(options.headers ?? {}) },
    });
    return this.absorb(res);
  }

  get(url: string): Promise<LightMyRequestResponse> {
    return this.request({ method: 'GET', url });
  }

  /** Posts a form the way a browser would: our Origin, and the CSRF token of the last page seen. */
  post(
    url: string,
    form: Form = {},
    opts: { csrf?: string | null; origin?: string | null } = {},
  ): Promise<LightMyRequestResponse> {
    const csrf = opts.csrf === undefined ? this.csrf : opts.csrf;
    const origin = opts.origin === undefined ? (this.options.origin ?? TEST_ORIGIN) : opts.origin;
    return this.request({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(origin ? { origin } : {}) },
      payload: encodeForm(csrf === null ? form : { ...form, _csrf: csrf }),
    });
  }

  /** The two sign-in steps through the real pages. Returns the final response (a redirect on success). */
  async signIn(
    member: Pick<TestStaffMember, 'email' | 'password' | 'totpSecret'>,
    now: Date,
    code?: string,
  ): Promise<LightMyRequestResponse> {
    await this.get('/staff/sign-in');
    const first = await this.post('/staff/sign-in', { email: member.email, password: member.password });
    if (first.statusCode !== 303) return first;
    await this.get('/staff/sign-in/code');
    return this.post('/staff/sign-in/code', { code: code ?? (await totpCodeAt(member.totpSecret, now)) });
  }
}

/** A signed-in client. The clock moves on 30 s first, because a code (its time step) can only be used once. */
export async function signedIn(
  t: TestApp,
  member: TestStaffMember,
  clock: { advance(ms: number): void; now(): Date },
  ip?: string,
): Promise<StaffClient> {
  clock.advance(30_000);
  const client = new StaffClient(t.app, ip ? { ip } : {});
  const res = await client.signIn(member, clock.now());
  if (res.statusCode !== 303 || !String(res.headers.location).startsWith('/staff')) {
    throw new Error(`sign-in failed: ${res.statusCode} ${res.headers.location ?? ''}`);
  }
  await client.get('/staff/account');
  return client;
}
