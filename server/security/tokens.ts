import { createHash, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from './random.ts';

/** No 0/O, 1/I/L: these get confused when a reference or code is read aloud over the phone or copied by hand. */
export const UNAMBIGUOUS_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

export type RandomBytesSource = (size: number) => Buffer;

/** A secret for links, sessions and CSRF: 32 bytes (256 bits) unless told otherwise, base64url encoded. */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16) throw new RangeError('randomToken needs at least 16 bytes.');
  return randomBytes(bytes).toString('base64url');
}

/** For storing lookups of high-entropy secrets (reset links, session ids) without storing the secret itself. */
export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}

/**
 * Characters drawn uniformly from `alphabet`. Plain `byte % alphabet.length` would favour the first characters,
 * so bytes at or above the largest multiple of the alphabet length are thrown away and redrawn.
 */
export function randomCharacters(count: number, alphabet: string, random: RandomBytesSource = randomBytes): string {
  const limit = 256 - (256 % alphabet.length);
  let result = '';
  // A real random source needs a handful of rounds; the cap only stops a broken injected source from looping forever.
  for (let round = 0; result.length < count; round++) {
    if (round >= 100) throw new Error('The random source keeps returning unusable bytes.');
    for (const byte of random(count - result.length + 4)) {
      if (byte < limit) result += alphabet[byte % alphabet.length];
      if (result.length === count) break;
    }
  }
  return result;
}

const REFERENCE_PREFIX = 'SL';
const REFERENCE_PATTERN = new RegExp(`^${REFERENCE_PREFIX}-[${UNAMBIGUOUS_ALPHABET}]{4}-[${UNAMBIGUOUS_ALPHABET}]{4}$`);
const REFERENCE_BODY_PATTERN = new RegExp(`^[${UNAMBIGUOUS_ALPHABET}]{8}$`);

/**
 * A referral reference such as `SL-7KQ4-M9TX` (31^8, about 40 bits). It identifies, it does not authenticate: never
 * treat knowing a reference as proof of anything. Callers must still check it is unused before saving.
 */
export function newReferralReference(random: RandomBytesSource = pooledRandomBytes): string {
  const body = randomCharacters(8, UNAMBIGUOUS_ALPHABET, random);
  return `${REFERENCE_PREFIX}-${body.slice(0, 4)}-${body.slice(4)}`;
}

export function isReferralReference(value: string): boolean {
  return REFERENCE_PATTERN.test(value);
}

/**
 * Tidies a reference typed by a person (lower case, spaces, missing dashes or missing "SL" prefix) into the
 * canonical form, or null when it cannot be one. Look-alike characters are not mapped: O, 0, I, 1 and L never
 * appear in references, so guessing which one was meant could only match someone else's reference.
 */
export function normaliseReferralReference(input: string): string | null {
  let compact = input.toUpperCase().replace(/[\s\-‐‑‒–—]/g, '');
  if (compact.length === 10 && compact.startsWith(REFERENCE_PREFIX)) compact = compact.slice(REFERENCE_PREFIX.length);
  if (!REFERENCE_BODY_PATTERN.test(compact)) return null;
  return `${REFERENCE_PREFIX}-${compact.slice(0, 4)}-${compact.slice(4)}`;
}
