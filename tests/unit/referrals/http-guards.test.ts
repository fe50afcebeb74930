import { describe, expect, it } from 'vitest';
import { isCrossSiteRequest, ownOriginsFor } from '../../../server/referrals/http-guards.ts';

const own = ownOriginsFor('https://saferlives.example', 'https', 'saferlives.example');

describe('the cross-site check', () => {
  it('trusts Sec-Fetch-Site when a browser sends it', () => {
    expect(isCrossSiteRequest({ 'sec-fetch-site': 'same-origin', origin: 'null' }, own)).toBe(false);
    expect(isCrossSiteRequest({ 'sec-fetch-site': 'none' }, own)).toBe(false);
    expect(isCrossSiteRequest({ 'sec-fetch-site': 'cross-site', origin: 'https://saferlives.example' }, own)).toBe(
      true,
    );
    expect(isCrossSiteRequest({ 'sec-fetch-site': 'same-site' }, own)).toBe(true);
  });

  it('falls back to Origin, refusing other origins and "null"', () => {
    expect(isCrossSiteRequest({ origin: 'https://saferlives.example' }, own)).toBe(false);
    expect(isCrossSiteRequest({ origin: 'https://evil.example' }, own)).toBe(true);
    expect(isCrossSiteRequest({ origin: 'null' }, own)).toBe(true);
    expect(isCrossSiteRequest({ origin: 'http://saferlives.example' }, own)).toBe(true);
  });

  it('lets programs without either header through', () => {
    expect(isCrossSiteRequest({}, own)).toBe(false);
  });

  it('counts the address the request was sent to as our own', () => {
    expect(ownOriginsFor('https://saferlives.example', 'http', 'localhost:4321')).toEqual(
      new Set(['https://saferlives.example', 'http://localhost:4321']),
    );
  });
});
