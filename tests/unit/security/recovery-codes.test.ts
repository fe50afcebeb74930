import { describe, expect, it } from 'vitest';
import {
  generateRecoveryCodes,
  hashRecoveryCode,
  isWellFormedRecoveryCode,
  matchRecoveryCode,
  normaliseRecoveryCode,
} from '../../../server/security/recovery-codes.ts';

const CODE_PATTERN = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}(-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{4}){3}$/;

describe('recovery codes', () => {
  it('generates 10 unique, well-formed codes by default', () => {
    const codes = generateRecoveryCodes();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    for (const code of codes) {
      expect(code).toMatch(CODE_PATTERN);
      expect(code).not.toMatch(/[01OIL]/);
      expect(isWellFormedRecoveryCode(code)).toBe(true);
    }
    expect(generateRecoveryCodes(3)).toHaveLength(3);
  });

  it('has at least 60 bits of entropy per code', () => {
    const code = generateRecoveryCodes(1)[0]!;
    expect(normaliseRecoveryCode(code).length * Math.log2(31)).toBeGreaterThanOrEqual(60);
  });

  it('normalises what people type', () => {
    expect(normaliseRecoveryCode(' 4kq7 m9tx-2hpw–r3na ')).toBe('4KQ7M9TX2HPWR3NA');
  });

  it('hashes the normalised code with SHA-256', () => {
    expect(hashRecoveryCode('4KQ7-M9TX-2HPW-R3NA')).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode('4kq7 m9tx 2hpw r3na')).toBe(hashRecoveryCode('4KQ7-M9TX-2HPW-R3NA'));
  });

  it('finds the matching code index, or -1', () => {
    const codes = generateRecoveryCodes();
    const hashes = codes.map(hashRecoveryCode);
    expect(matchRecoveryCode(codes[3]!, hashes)).toBe(3);
    expect(matchRecoveryCode(codes[9]!.toLowerCase().replace(/-/g, ' '), hashes)).toBe(9);
    expect(matchRecoveryCode('AAAA-BBBB-CCCC-DDDD', hashes)).toBe(-1);
    expect(matchRecoveryCode('', hashes)).toBe(-1);
    expect(matchRecoveryCode(codes[0]!, [])).toBe(-1);
    // Used codes are blanked out and never match again.
    const afterUse = hashes.map((hash, index) => (index === 3 ? '' : hash));
    expect(matchRecoveryCode(codes[3]!, afterUse)).toBe(-1);
    expect(matchRecoveryCode(codes[4]!, afterUse)).toBe(4);
    expect(matchRecoveryCode(codes[4]!, ['not-a-hash', hashes[4]!])).toBe(1);
  });

  it('does not match an input that is not a well-formed code, even if its hash is stored', () => {
    expect(matchRecoveryCode('hello', [hashRecoveryCode('hello')])).toBe(-1);
  });
});
