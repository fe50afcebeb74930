import { and, eq, isNull } from 'drizzle-orm';
import { staffRecoveryCodes } from '../../../db/schema/auth.ts';
import { offices } from '../../../db/schema/offices.ts';
import { recordAudit } from '../../audit/audit.ts';
import { clearStaffCookie, readCookie, setStaffCookie, staffCookieNames } from '../../auth/cookies.ts';
import { authenticatorSetup, completeEnrolment, findEnrolment } from '../../auth/enrolment.ts';
import { ABSOLUTE_TIMEOUT_MS, countSessionsFor, deleteAllSessionsFor, deleteSession } from '../../auth/sessions.ts';
import { CHALLENGE_TTL_MS, completeSignIn, startSignIn } from '../../auth/sign-in.ts';
import { ALL_ROLES } from '../../staff/roles.ts';
import { clientRateLimitKey } from '../../http/client-key.ts';
import { createTurnQueue } from '../../http/turns.ts';
import {
  field,
  publicRoute,
  redirect,
  render,
  safeReturnPath,
  staffRoute,
  type RouteContext,
  type StaffRoute,
} from '../http.ts';
import type { EnrolPage } from '../pages.ts';
import { startPathOf } from '../start-page.ts';

/** Sign-in, the second factor, sign-out, enrolment and the account page. */

const SIGN_IN_LIMIT = { max: 30, timeWindow: '1 minute' };
const signInTurn = createTurnQueue();
/** Every password-checking slot is busy (a burst of sign-ins): nothing was checked and no attempt was counted. */
const SIGN_IN_BUSY =
  'A lot of people are signing in right now, so we could not check your password. Wait a few seconds and try again.';

const ENDED_NOTICES: Record<string, string> = {
  idle: 'You were signed out because the back office was not used for 30 minutes. Sign in again to carry on.',
  absolute: 'You were signed out because you signed in 12 hours ago. Sign in again to carry on.',
  disabled: 'You have been signed out.',
  // A form arrived after the session ended: what was typed is kept (server/auth/form-drafts.ts).
  'idle-kept':
    'You were signed out because the back office was not used for 30 minutes. What you typed has been kept: sign in again and it will be back in the form, ready to check and send.',
  'absolute-kept':
    'You were signed out because you signed in 12 hours ago. What you typed has been kept: sign in again and it will be back in the form, ready to check and send.',
};
const NOTICES: Record<string, string> = {
  'signed-out': 'You have signed out.',
  'signed-out-everywhere': 'You have signed out on every device.',
  enrolled: 'Your account is set up. Sign in with your email address, password and a code from your app.',
};
const NOT_RECOGNISED =
  'We could not sign you in with those details. Check your email address, password and code, then try again.';
const PROBLEMS: Record<string, string> = {
  'not-recognised': NOT_RECOGNISED,
  expired: 'Your sign-in took too long, so it was stopped to keep your account safe. Start again.',
};

function lockedMessage(minutes: number): string {
  const wait = minutes <= 1 ? '1 minute' : `${minutes} minutes`;
  return `There have been too many attempts to sign in. Wait ${wait}, then try again.`;
}

function minutesUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 60_000));
}

function signInPage(ctx: RouteContext, error: string | null, status = 200, email = '') {
  const { query } = ctx;
  const notice = ENDED_NOTICES[query.ended ?? ''] ?? NOTICES[query.notice ?? ''] ?? null;
  let problem = PROBLEMS[query.problem ?? ''] ?? null;
  if (query.problem === 'locked') problem = lockedMessage(Number.parseInt(query.minutes ?? '', 10) || 15);
  return render({
    kind: 'sign_in',
    status,
    email,
    next: safeReturnPath(field(ctx.body, 'next') || query.next),
    error: error ?? problem,
    notice: error ? null : notice,
  });
}

async function enrolPage(ctx: RouteContext, token: string, errors: Record<string, string>, status: number) {
  const staff = findEnrolment(ctx.services.db, token, ctx.now);
  if (!staff) return render({ kind: 'enrol_invalid', status: 410 });
  const setup = await authenticatorSetup(ctx.services.db, ctx.services.keyring, staff);
  const page: EnrolPage = {
    kind: 'enrol',
    status,
    token,
    name: staff.name,
    email: staff.email,
    expiresAt: staff.expiresAt,
    typedKey: setup.typedKey,
    qrSvg: setup.qrSvg,
    errors,
  };
  return render(page);
}

export const authRoutes: StaffRoute[] = [
  publicRoute('GET', '/staff/sign-in', (ctx) => {
    if (ctx.request.staffSession) return redirect(startPathOf(ctx.services.db, ctx.request.staffSession.staff.id));
    return signInPage(ctx, null);
  }),

  publicRoute(
    'POST',
    '/staff/sign-in',
    async (ctx) => {
      const email = field(ctx.body, 'email').trim();
      const password = field(ctx.body, 'password');
      if (email === '' || password === '') {
        return signInPage(ctx, 'Enter your email address and your password.', 422, email);
      }
      if (email.length > 254 || password.length > 1024) return signInPage(ctx, NOT_RECOGNISED, 401, '');
      // One sign-in attempt per event-loop turn, so a burst of them never holds up the public pages.
      await signInTurn();
      const result = await startSignIn(
        ctx.services.db,
        ctx.services.keyring,
        { email, password, ip: clientRateLimitKey(ctx.request.ip), returnTo: safeReturnPath(field(ctx.body, 'next')) },
        ctx.now,
      );
      if (result.kind === 'locked')
        return signInPage(ctx, lockedMessage(minutesUntil(result.until, ctx.now)), 429, email);
      if (result.kind === 'busy') {
        ctx.reply.header('Retry-After', String(result.retryAfterSeconds));
        return signInPage(ctx, SIGN_IN_BUSY, 503, email);
      }
      const names = staffCookieNames(ctx.config.servedOverHttps);
      setStaffCookie(ctx.reply, ctx.config.servedOverHttps, names.challenge, result.token, CHALLENGE_TTL_MS / 1000);
      return redirect('/staff/sign-in/code');
    },
    { rateLimit: SIGN_IN_LIMIT },
  ),

  publicRoute('GET', '/staff/sign-in/code', () => render({ kind: 'sign_in_code', error: null }), {
    access: { kind: 'challenge' },
  }),

  publicRoute(
    'POST',
    '/staff/sign-in/code',
    async (ctx) => {
      const names = staffCookieNames(ctx.config.servedOverHttps);
      const code = field(ctx.body, 'code');
      if (code.trim() === '')
        return render({
          kind: 'sign_in_code',
          status: 422,
          error: 'Enter the 6-digit code from your authenticator app, or a recovery code.',
        });
      const result = await completeSignIn(
        ctx.services.db,
        ctx.services.keyring,
        { challengeToken: readCookie(ctx.request, names.challenge), code: code.slice(0, 64) },
        ctx.now,
      );
      const https = ctx.config.servedOverHttps;
      switch (result.kind) {
        case 'signed_in':
          clearStaffCookie(ctx.reply, https, names.challenge);
          setStaffCookie(ctx.reply, https, names.session, result.sessionToken, ABSOLUTE_TIMEOUT_MS / 1000);
          return redirect(result.returnTo ?? startPathOf(ctx.services.db, result.staffId));
        case 'retry':
          return render({ kind: 'sign_in_code', status: 401, error: NOT_RECOGNISED });
        case 'restart':
          clearStaffCookie(ctx.reply, https, names.challenge);
          return redirect(`/staff/sign-in?problem=${result.reason === 'expired' ? 'expired' : 'not-recognised'}`);
        case 'locked':
          clearStaffCookie(ctx.reply, https, names.challenge);
          return redirect(`/staff/sign-in?problem=locked&minutes=${minutesUntil(result.until, ctx.now)}`);
      }
    },
    { rateLimit: SIGN_IN_LIMIT, access: { kind: 'challenge' } },
  ),

  staffRoute('POST', '/staff/sign-out', ALL_ROLES, (ctx) => {
    ctx.services.db.transaction((tx) => {
      deleteSession(tx, ctx.session.id);
      recordAudit(tx, { actorId: ctx.staff.id, action: 'sign_out', targetStaffId: ctx.staff.id }, ctx.now);
    });
    clearStaffCookie(ctx.reply, ctx.config.servedOverHttps, staffCookieNames(ctx.config.servedOverHttps).session);
    return redirect('/staff/sign-in?notice=signed-out');
  }),

  staffRoute('POST', '/staff/sign-out-everywhere', ALL_ROLES, (ctx) => {
    ctx.services.db.transaction((tx) => {
      const ended = deleteAllSessionsFor(tx, ctx.staff.id);
      recordAudit(
        tx,
        {
          actorId: ctx.staff.id,
          action: 'sign_out_everywhere',
          targetStaffId: ctx.staff.id,
          detail: { endedSessions: ended },
        },
        ctx.now,
      );
    });
    clearStaffCookie(ctx.reply, ctx.config.servedOverHttps, staffCookieNames(ctx.config.servedOverHttps).session);
    return redirect('/staff/sign-in?notice=signed-out-everywhere');
  }),

  staffRoute('GET', '/staff/account', ALL_ROLES, (ctx) => {
    const { db } = ctx.services;
    const officeRows = db.select({ id: offices.id, name: offices.name }).from(offices).all();
    const recoveryCodesLeft = db
      .select({ id: staffRecoveryCodes.id })
      .from(staffRecoveryCodes)
      .where(and(eq(staffRecoveryCodes.staffId, ctx.staff.id), isNull(staffRecoveryCodes.usedAt)))
      .all().length;
    return render({
      kind: 'account',
      email: ctx.staff.email,
      role: ctx.staff.role,
      officeNames: ctx.staff.officeIds.map((id) => officeRows.find((o) => o.id === id)?.name ?? id),
      sessionStartedAt: ctx.session.createdAt,
      sessionExpiresAt: ctx.session.expiresAt,
      otherSessions: Math.max(0, countSessionsFor(db, ctx.staff.id) - 1),
      recoveryCodesLeft,
    });
  }),

  publicRoute('GET', '/staff/enrol', (ctx) => enrolPage(ctx, ctx.query.token ?? '', {}, 200)),

  publicRoute(
    'POST',
    '/staff/enrol',
    async (ctx) => {
      const token = field(ctx.body, 'token');
      const result = await completeEnrolment(
        ctx.services.db,
        ctx.services.keyring,
        {
          token,
          password: field(ctx.body, 'password').slice(0, 1024),
          passwordConfirm: field(ctx.body, 'passwordConfirm').slice(0, 1024),
          code: field(ctx.body, 'code').slice(0, 64),
        },
        ctx.now,
      );
      if (result.kind === 'enrolled') return render({ kind: 'enrol_done', recoveryCodes: result.recoveryCodes });
      if (result.kind === 'expired') return render({ kind: 'enrol_invalid', status: 410 });
      return enrolPage(ctx, token, result.errors, 422);
    },
    { rateLimit: { max: 20, timeWindow: '1 minute' } },
  ),
];
