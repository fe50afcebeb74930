import { describe, expect, it } from 'vitest';
import { createFormTokens } from '../../../server/referrals/form-token.ts';

const secret = 'a-test-session-secret-of-at-least-32-characters';
const now = new Date('2026-12-01T10:00:00Z');

describe('form tokens', () => {
  const tokens = createFormTokens(secret);

  it('verify when genuine, carrying when the form was shown and a stable idempotency key', () => {
    const token = tokens.issue(now);
    expect(token).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const later = new Date(now.getTime() + 60_000);
    const first = tokens.verify(token, later);
    const second = tokens.verify(token, later);
    expect(first).toMatchObject({ ok: true, issuedAt: now });
    expect(first.ok && second.ok && first.idempotencyKey === second.idempotencyKey).toBe(true);
  });

  it('are unique, so two forms never share an idempotency key', () => {
    const a = tokens.verify(tokens.issue(now), now);
    const b = tokens.verify(tokens.issue(now), now);
    expect(a.ok && b.ok && a.idempotencyKey !== b.idempotencyKey).toBe(true);
  });

  it('refuse a changed time, a changed nonce, a token from another secret, a future time and rubbish', () => {
    const token = tokens.issue(now);
    const [time, nonce, sig] = token.split('.') as [string, string, string];
    const earlier = (parseInt(time, 36) - 60_000).toString(36);
    expect(tokens.verify(`${earlier}.${nonce}.${sig}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const otherNonce = `${nonce.slice(0, -1)}${nonce.endsWith('A') ? 'B' : 'A'}`;
    expect(tokens.verify(`${time}.${otherNonce}.${sig}`, now)).toEqual({ ok: false, reason: 'bad_signature' });
    expect(createFormTokens(`${secret}-other`).verify(token, now)).toEqual({ ok: false, reason: 'bad_signature' });
    const future = createFormTokens(secret).issue(new Date(now.getTime() + 10 * 60_000));
    expect(tokens.verify(future, now)).toEqual({ ok: false, reason: 'from_the_future' });
    expect(tokens.verify(undefined, now)).toEqual({ ok: false, reason: 'missing' });
    expect(tokens.verify('', now)).toEqual({ ok: false, reason: 'missing' });
    for (const rubbish of ['a.b', 'a.b.c.d', '<script>.x.y', `${time}.${nonce}.`]) {
      expect(tokens.verify(rubbish, now).ok).toBe(false);
    }
  });
});
