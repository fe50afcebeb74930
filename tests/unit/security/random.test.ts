import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../../server/security/random.ts';

describe('pooled random bytes', () => {
  it('hands out copies of the size asked for, never the same bytes twice, across refills of the block', () => {
    const seen = new Set<string>();
    // 16-byte draws across several 4 KiB blocks: a repeat would mean bytes handed out twice.
    for (let i = 0; i < 2_000; i++) {
      const bytes = pooledRandomBytes(16);
      expect(bytes).toHaveLength(16);
      const hex = bytes.toString('hex');
      expect(seen.has(hex)).toBe(false);
      seen.add(hex);
    }
    const a = pooledRandomBytes(12);
    const copy = Buffer.from(a);
    pooledRandomBytes(12);
    expect(a.equals(copy)).toBe(true); // later draws do not change bytes already handed out
  });

  it('gives large draws straight from the system and refuses nonsense sizes', () => {
    expect(pooledRandomBytes(1000)).toHaveLength(1000);
    expect(pooledRandomBytes(0)).toHaveLength(0);
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow(RangeError);
  });

  it('looks uniformly random (each byte value about equally often over 64 KiB)', () => {
    const counts = new Array<number>(256).fill(0);
    for (let i = 0; i < 4096; i++) for (const byte of pooledRandomBytes(16)) counts[byte]!++;
    // 65,536 bytes: 256 expected per value; a stuck or zeroed source would be far outside this.
    expect(Math.min(...counts)).toBeGreaterThan(150);
    expect(Math.max(...counts)).toBeLessThan(370);
  });
});
