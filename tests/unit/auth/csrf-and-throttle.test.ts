import { describe, expect, it } from 'vitest';
import { csrfTokenFor, csrfTokenMatches, isSameOrigin } from '../../../server/auth/csrf.ts';
import { ACCOUNT_POLICY, IP_POLICY, lockDuration, normaliseEmail } from '../../../server/auth/throttle.ts';
import { safeReturnPath } from '../../../server/backoffice/http.ts';

describe('CSRF tokens', () => {
  it('match only the binding and secret they were made for', () => {
    const token = csrfTokenFor('secret-one', 'session:abc');
    expect(csrfTokenMatches('secret-one', 'session:abc', token)).toBe(true);
    expect(csrfTokenMatches('secret-one', 'session:abd', token)).toBe(false);
    expect(csrfTokenMatches('secret-two', 'session:abc', token)).toBe(false);
    expect(csrfTokenMatches('secret-one', 'session:abc', undefined)).toBe(false);
    expect(csrfTokenMatches('secret-one', 'session:abc', [token])).toBe(false);
    expect(csrfTokenMatches('secret-one', 'session:abc', token.slice(1))).toBe(false);
  });
});

describe('origin check', () => {
  const own = 'https://portal.example';
  it.each([
    [own, undefined, undefined, true],
    ['https://evil.example', undefined, 'same-origin', false],
    ['null', undefined, 'same-origin', true],
    ['null', undefined, 'cross-site', false],
    ['null', undefined, undefined, false],
    [undefined, `${own}/staff/x`, undefined, true],
    [undefined, 'https://evil.example/staff', undefined, false],
    [undefined, undefined, undefined, false],
  ] as const)('Origin %s, Referer %s, Sec-Fetch-Site %s -> %s', (origin, referer, site, expected) => {
    expect(isSameOrigin(own, origin, referer, site)).toBe(expected);
  });
});

describe('sign-in lockouts', () => {
  it('allow a few failures, then lock for longer each time, up to a day', () => {
    expect([1, 5].map((n) => lockDuration(ACCOUNT_POLICY, n))).toEqual([0, 0]);
    expect([6, 7, 8].map((n) => lockDuration(ACCOUNT_POLICY, n))).toEqual([60_000, 120_000, 240_000]);
    expect(lockDuration(ACCOUNT_POLICY, 100)).toBe(24 * 60 * 60_000);
    expect(lockDuration(IP_POLICY, 20)).toBe(0);
    expect(lockDuration(IP_POLICY, 21)).toBe(60_000);
  });

  it('treat the same email typed differently as one account', () => {
    expect(normaliseEmail('  Jo.Bloggs@SaferLives.Example ')).toBe('jo.bloggs@saferlives.example');
  });
});

describe('return path after sign-in', () => {
  it.each([
    ['/staff/referrals/0f7c7a1e-0000-4000-8000-000000000000', '/staff/referrals/0f7c7a1e-0000-4000-8000-000000000000'],
    ['/staff?status=all&page=2', '/staff?status=all&page=2'],
    ['https://evil.example/staff', null],
    ['//evil.example/staff', null],
    ['/staffx', null],
    ['/staff/sign-in', null],
    ['/staff/../admin', null],
  ])('%s -> %s', (input, expected) => {
    expect(safeReturnPath(input)).toBe(expected);
  });
});
