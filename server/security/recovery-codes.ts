import { randomBytes, timingSafeEqual } from 'node:crypto';
import { UNAMBIGUOUS_ALPHABET, randomCharacters, sha256Hex, type RandomBytesSource } from './tokens.ts';

/**
 * Single-use recovery codes for staff who lose their authenticator, shown once as `4KQ7-M9TX-2HPW-R3NA`.
 *
 * 16 characters from a 31-character alphabet is about 79 bits of entropy. At that strength nobody can brute-force a
 * hash, so plain SHA-256 is enough and a slow password hash (which would make checking ten codes take seconds) is not
 * needed. Three groups of four would be only ~59 bits, hence four groups.
 */

const GROUPS = 4;
const GROUP_LENGTH = 4;
const CODE_LENGTH = GROUPS * GROUP_LENGTH;
const NORMALISED_CODE_PATTERN = new RegExp(`^[${UNAMBIGUOUS_ALPHABET}]{${CODE_LENGTH}}$`);

export function generateRecoveryCodes(count = 10, random: RandomBytesSource = randomBytes): string[] {
  const codes = new Set<string>();
  while (codes.size < count) {
    const raw = randomCharacters(CODE_LENGTH, UNAMBIGUOUS_ALPHABET, random);
    const groups = raw.match(new RegExp(`.{${GROUP_LENGTH}}`, 'g')) ?? [];
    codes.add(groups.join('-'));
  }
  return [...codes];
}

/** Upper case with spaces and dashes removed, so "4kq7 m9tx-2hpw r3na" matches the code as displayed. */
export function normaliseRecoveryCode(input: string): string {
  return input.toUpperCase().replace(/[\s\-‐‑‒–—]/g, '');
}

export function isWellFormedRecoveryCode(input: string): boolean {
  return NORMALISED_CODE_PATTERN.test(normaliseRecoveryCode(input));
}

export function hashRecoveryCode(code: string): string {
  return sha256Hex(normaliseRecoveryCode(code));
}

/**
 * Index of the stored hash the input matches, or -1. Every hash is compared, without stopping at a match, so the
 * time taken does not reveal which code (if any) matched. Use an empty string for a code already used.
 */
export function matchRecoveryCode(input: string, hashes: readonly string[]): number {
  const candidate = Buffer.from(hashRecoveryCode(input), 'hex');
  const wellFormed = isWellFormedRecoveryCode(input);
  let matchedIndex = -1;
  hashes.forEach((stored, index) => {
    // A used ('') or corrupt entry is compared against zeros, which no SHA-256 output equals in practice.
    const storedBytes = /^[0-9a-f]{64}$/i.test(stored) ? Buffer.from(stored, 'hex') : Buffer.alloc(candidate.length);
    const equal = timingSafeEqual(candidate, storedBytes);
    if (equal && wellFormed && matchedIndex === -1) matchedIndex = index;
  });
  return matchedIndex;
}
