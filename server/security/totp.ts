import { generate, generateSecret, generateURI, verify } from 'otplib';
import QRCode from 'qrcode';

/**
 * Time-based one-time passwords (RFC 6238: SHA-1, 6 digits, 30 s) as used by every common authenticator app.
 * Time is always passed in so tests and tools can work at fixed instants.
 */

const PERIOD_SECONDS = 30;
const TOKEN_PATTERN = /^\d{6}$/;

/** Base32, 20 random bytes (160 bits, the RFC 4226 recommendation). Store it encrypted, like any credential. */
export function newTotpSecret(): string {
  return generateSecret();
}

export function totpUri({
  secret,
  accountName,
  issuer,
}: {
  secret: string;
  accountName: string;
  issuer: string;
}): string {
  return generateURI({ issuer, label: accountName, secret });
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * An inline SVG QR code for the setup page. Our CSP forbids inline styles, so the SVG must carry neither a <style>
 * element nor style attributes (presentation attributes such as fill and stroke are allowed); this is checked rather
 * than assumed because it depends on the qrcode library's output.
 */
export async function totpQrSvg(
  uri: string,
  label = 'QR code for setting up two-step verification in your authenticator app',
): Promise<string> {
  const svg = await QRCode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  if (/<style\b/i.test(svg) || /\sstyle\s*=/i.test(svg)) {
    throw new Error('The QR code SVG contains inline styles, which the Content Security Policy would block.');
  }
  if (!svg.startsWith('<svg ')) throw new Error('Unexpected QR code SVG output.');
  return svg.trim().replace(/^<svg /, `<svg role="img" aria-label="${escapeAttribute(label)}" focusable="false" `);
}

export function totpStepAt(at: Date): number {
  return Math.floor(at.getTime() / 1000 / PERIOD_SECONDS);
}

function epochSeconds(at: Date): number {
  const milliseconds = at.getTime();
  if (!Number.isFinite(milliseconds)) throw new RangeError('Invalid date.');
  return Math.floor(milliseconds / 1000);
}

/** The code an authenticator app shows at `at`: for tests, and for scripts that need to sign in. */
export async function totpCodeAt(secret: string, at: Date): Promise<string> {
  return generate({ secret, epoch: epochSeconds(at) });
}

export type TotpVerification = { ok: true; step: number } | { ok: false };

/**
 * Accepts the code for the current 30-second step or one either side (phone clocks drift and people type slowly).
 * Store the returned step and pass it back as `lastUsedStep`: a code from that step or earlier is refused, so a code
 * seen over someone's shoulder, or replayed from a captured request, cannot be used again.
 */
export async function verifyTotp({
  secret,
  token,
  now,
  lastUsedStep,
}: {
  secret: string;
  token: string;
  now: Date;
  lastUsedStep?: number | null;
}): Promise<TotpVerification> {
  const digits = token.replace(/\s+/g, '');
  if (!TOKEN_PATTERN.test(digits)) return { ok: false };
  const epoch = epochSeconds(now);
  const latestAcceptableStep = Math.floor(epoch / PERIOD_SECONDS) + 1;
  const afterTimeStep =
    lastUsedStep === null || lastUsedStep === undefined || lastUsedStep < 0 ? undefined : lastUsedStep;
  // otplib throws if afterTimeStep is beyond the window; that simply means nothing in the window is usable.
  if (afterTimeStep !== undefined && afterTimeStep >= latestAcceptableStep) return { ok: false };
  const result = await verify({
    secret,
    token: digits,
    epoch,
    epochTolerance: PERIOD_SECONDS,
    ...(afterTimeStep === undefined ? {} : { afterTimeStep: Math.floor(afterTimeStep) }),
  });
  if (!result.valid || !('timeStep' in result)) return { ok: false };
  return { ok: true, step: result.timeStep };
}
