import { describe, expect, it } from 'vitest';
import {
  newTotpSecret,
  totpCodeAt,
  totpQrSvg,
  totpStepAt,
  totpUri,
  verifyTotp,
} from '../../../server/security/totp.ts';

// RFC 6238 appendix B test secret ("12345678901234567890" in base32).
const rfcSecret = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const now = new Date('2025-06-01T12:00:10Z');
const step = Math.floor(now.getTime() / 30_000);
const at = (steps: number): Date => new Date(now.getTime() + steps * 30_000);

describe('TOTP', () => {
  it('generates RFC 6238 codes at fixed times', async () => {
    expect(await totpCodeAt(rfcSecret, new Date(59_000))).toBe('287082');
    expect(await totpCodeAt(rfcSecret, new Date(1_111_111_109_000))).toBe('081804');
    expect(await totpCodeAt(rfcSecret, new Date(2_000_000_000_000))).toBe('279037');
  });

  it('makes base32 secrets of 160 bits', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(newTotpSecret()).not.toBe(secret);
  });

  it('accepts the current code and reports its time step', async () => {
    const token = await totpCodeAt(rfcSecret, now);
    expect(await verifyTotp({ secret: rfcSecret, token, now })).toEqual({ ok: true, step });
    expect(totpStepAt(now)).toBe(step);
  });

  it('accepts a code one step either side, and reports that step', async () => {
    for (const offset of [-1, 1]) {
      const token = await totpCodeAt(rfcSecret, at(offset));
      expect(await verifyTotp({ secret: rfcSecret, token, now })).toEqual({ ok: true, step: step + offset });
    }
  });

  it('rejects codes two steps away', async () => {
    for (const offset of [-2, 2]) {
      const token = await totpCodeAt(rfcSecret, at(offset));
      expect(await verifyTotp({ secret: rfcSecret, token, now })).toEqual({ ok: false });
    }
  });

  it('rejects a code from a step already used, or earlier', async () => {
    const token = await totpCodeAt(rfcSecret, now);
    const first = await verifyTotp({ secret: rfcSecret, token, now, lastUsedStep: step - 1 });
    expect(first).toEqual({ ok: true, step });
    expect(await verifyTotp({ secret: rfcSecret, token, now, lastUsedStep: step })).toEqual({ ok: false });
    const previous = await totpCodeAt(rfcSecret, at(-1));
    expect(await verifyTotp({ secret: rfcSecret, token: previous, now, lastUsedStep: step })).toEqual({ ok: false });
    // A later step is still fine after using the current one.
    const next = await totpCodeAt(rfcSecret, at(1));
    expect(await verifyTotp({ secret: rfcSecret, token: next, now, lastUsedStep: step })).toEqual({
      ok: true,
      step: step + 1,
    });
    // lastUsedStep beyond the window (clock went backwards) rejects rather than throws.
    expect(await verifyTotp({ secret: rfcSecret, token: next, now, lastUsedStep: step + 5 })).toEqual({ ok: false });
    expect(await verifyTotp({ secret: rfcSecret, token, now, lastUsedStep: null })).toEqual({ ok: true, step });
  });

  it('strips spaces but rejects anything that is not 6 digits', async () => {
    const token = await totpCodeAt(rfcSecret, now);
    const spaced = `${token.slice(0, 3)} ${token.slice(3)} `;
    expect(await verifyTotp({ secret: rfcSecret, token: spaced, now })).toEqual({ ok: true, step });
    for (const bad of [
      '',
      '12345',
      '1234567',
      'abcdef',
      `${token}0`,
      token.slice(1),
      `${token.slice(0, 5)}x`,
      '１２３４５６',
      '-12345',
    ]) {
      expect(await verifyTotp({ secret: rfcSecret, token: bad, now })).toEqual({ ok: false });
    }
  });

  it('builds an otpauth URI for authenticator apps', () => {
    const uri = totpUri({ secret: rfcSecret, accountName: 'sam@example.org', issuer: 'Safer Lives' });
    expect(uri.startsWith('otpauth://totp/')).toBe(true);
    expect(uri).toContain(`secret=${rfcSecret}`);
    expect(uri).toContain('issuer=Safer');
    expect(decodeURIComponent(uri)).toContain('sam@example.org');
  });

  it('renders an accessible QR SVG with no inline styles', async () => {
    const uri = totpUri({ secret: rfcSecret, accountName: 'sam@example.org', issuer: 'Safer Lives' });
    const svg = await totpQrSvg(uri);
    expect(svg.startsWith('<svg role="img" aria-label="')).toBe(true);
    expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
    expect(svg).not.toMatch(/<style/i);
    expect(svg).not.toMatch(/style\s*=/i);
    expect(svg).not.toContain('<script');
    expect(svg.trim().endsWith('</svg>')).toBe(true);
    expect(await totpQrSvg(uri, 'Scan "this" <code>')).toContain('aria-label="Scan &quot;this&quot; &lt;code&gt;"');
  });
});
