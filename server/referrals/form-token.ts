import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256Hex } from '../security/tokens.ts';

/**
 * The hidden token in every referral form: `issuedAt.nonce.signature`.
 * - It is the idempotency key: a refresh, a double click or Back-and-send-again carries the same token, and
 *   the second submission finds the first referral instead of creating another.
 * - It says when the form was shown, so a submission faster than any person could fill it in can be turned
 *   away (bots), without cookies or anything stored in the browser.
 * It is signed (HMAC-SHA256 with a key derived from SESSION_SECRET), so neither can be forged. It carries
 * nothing about the person, and it is only ever sent in a form body, never in a URL.
 */

const CLOCK_SKEW_MS = 60_000;
/**
 * A form shown more than a day ago is not taken as it is: he is shown it again with his answers and a new
 * token. It keeps old tokens from being collected and replayed, and bounds how long one idempotency key lives.
 */
export const FORM_TOKEN_LIFETIME_MS = 24 * 60 * 60 * 1000;

export type FormTokenCheck =
  | { ok: true; issuedAt: Date; idempotencyKey: string }
  /** Genuine but too old to send: still names the form, so a referral it already made is found again. */
  | { ok: false; reason: 'expired'; issuedAt: Date; idempotencyKey: string }
  | { ok: false; reason: 'missing' | 'malformed' | 'bad_signature' | 'from_the_future' };

export interface FormTokens {
  issue(now: Date): string;
  verify(token: string | undefined, now: Date): FormTokenCheck;
}

export function createFormTokens(sessionSecret: string): FormTokens {
  const key = Buffer.from(hkdfSync('sha256', sessionSecret, 'safer-lives-portal', 'referral-form-token/v1', 32));
  const sign = (payload: string) => createHmac('sha256', key).update(payload, 'utf8').digest();

  return {
    issue(now) {
      const payload = `${now.getTime().toString(36)}.${randomBytes(16).toString('base64url')}`;
      return `${payload}.${sign(payload).toString('base64url')}`;
    },
    verify(token, now) {
      if (token === undefined || token === '') return { ok: false, reason: 'missing' };
      const parts = token.split('.');
      if (parts.length !== 3 || !/^[0-9a-z]{1,12}$/.test(parts[0]!) || !/^[A-Za-z0-9_-]{22}$/.test(parts[1]!)) {
        return { ok: false, reason: 'malformed' };
      }
      const payload = `${parts[0]}.${parts[1]}`;
      const given = Buffer.from(parts[2]!, 'base64url');
      const expected = sign(payload);
      if (given.length !== expected.length || !timingSafeEqual(given, expected))
        return { ok: false, reason: 'bad_signature' };
      const issuedAt = new Date(parseInt(parts[0]!, 36));
      if (issuedAt.getTime() > now.getTime() + CLOCK_SKEW_MS) return { ok: false, reason: 'from_the_future' };
      const idempotencyKey = sha256Hex(`referral-form:${payload}`);
      if (now.getTime() - issuedAt.getTime() > FORM_TOKEN_LIFETIME_MS)
        return { ok: false, reason: 'expired', issuedAt, idempotencyKey };
      return { ok: true, issuedAt, idempotencyKey };
    },
  };
}
