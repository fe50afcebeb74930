import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  DataKeyConfigError,
  FieldDecryptionError,
  decryptField,
  decryptJson,
  deriveSubkey,
  encryptField,
  encryptJson,
  generateDataKey,
  keyedHash,
  nameSearchHash,
  nameSearchCandidates,
  needsRotation,
  normaliseNameForSearch,
  parseDataKeys,
  reencryptField,
  type Keyring,
} from '../../../server/security/field-encryption.ts';

const oldKey = randomBytes(32).toString('base64');
const newKey = randomBytes(32).toString('base64');
const keyring = parseDataKeys(oldKey);
const plaintext = 'Jonathan Example, arrested 3 March, device seized';
const aad = 'referral:42:notes';

function expectDecryptionFailure(run: () => unknown, reason?: FieldDecryptionError['reason']): void {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(FieldDecryptionError);
  const error = caught as FieldDecryptionError;
  if (reason) expect(error.reason).toBe(reason);
  const everything = `${error.message} ${error.stack ?? ''} ${String(error.cause ?? '')}`;
  expect(everything).not.toContain(plaintext);
  expect(everything).not.toContain('Jonathan');
  for (const key of [oldKey, newKey]) {
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(Buffer.from(key, 'base64').toString('hex'));
  }
}

/** Flips one bit in the decoded bytes of one part of the token and re-encodes it. */
function flipBit(token: string, partIndex: number): string {
  const parts = token.split('.');
  const bytes = Buffer.from(parts[partIndex]!, 'base64url');
  bytes[0] = bytes[0]! ^ 0x01;
  parts[partIndex] = bytes.toString('base64url');
  return parts.join('.');
}

describe('parseDataKeys', () => {
  it('accepts a single base64 key as key id k1', () => {
    const ring = parseDataKeys(oldKey);
    expect(ring.currentKeyId).toBe('k1');
    expect(ring.derivationKeyId).toBe('k1');
    expect(ring.keys.get('k1')).toEqual(Buffer.from(oldKey, 'base64'));
  });

  it('accepts a single hex key and base64url keys', () => {
    const bytes = randomBytes(32);
    expect(parseDataKeys(bytes.toString('hex')).keys.get('k1')).toEqual(bytes);
    expect(parseDataKeys(bytes.toString('base64url')).keys.get('k1')).toEqual(bytes);
    expect(parseDataKeys(`  ${bytes.toString('base64')}\n`).keys.get('k1')).toEqual(bytes);
  });

  it('reads a rotation list: first is current, last is the derivation key', () => {
    const ring = parseDataKeys(`k3:${newKey}, k2:${generateDataKey()},k1:${oldKey}`);
    expect(ring.currentKeyId).toBe('k3');
    expect(ring.derivationKeyId).toBe('k1');
    expect([...ring.keys.keys()]).toEqual(['k3', 'k2', 'k1']);
    expect(parseDataKeys(`k3:${newKey},k1:${oldKey}`, { derivationKeyId: 'k3' }).derivationKeyId).toBe('k3');
  });

  it.each([
    ['', /DATA_KEY is empty/],
    ['   ', /DATA_KEY is empty/],
    [
      randomBytes(16).toString('base64'),
      /DATA_KEY entry 1 \(key id "k1"\) must be exactly 32 bytes; it decodes to 16 bytes/,
    ],
    [randomBytes(33).toString('hex'), /must be exactly 32 bytes/],
    ['not a key!', /DATA_KEY entry 1 .* is not valid base64 or hex/],
    [`k1:${oldKey},${newKey}`, /DATA_KEY entry 2 must look like "id:key"/],
    [`k.1:${oldKey}`, /DATA_KEY entry 1 has an invalid key id/],
    [`:${oldKey}`, /invalid key id/],
    [`k1:${oldKey},k1:${newKey}`, /lists key id "k1" more than once/],
  ])('rejects %j with a clear message', (value, message) => {
    expect(() => parseDataKeys(value)).toThrow(DataKeyConfigError);
    expect(() => parseDataKeys(value)).toThrow(message);
  });

  it('never includes key material in its errors', () => {
    const shortKey = randomBytes(31).toString('base64');
    const values = [shortKey, `k1:${oldKey},k2:${shortKey}`, `k1:${oldKey},k1:${oldKey}`, `k1:${oldKey}!`];
    for (const value of values) {
      try {
        parseDataKeys(value);
        expect.unreachable();
      } catch (error) {
        const message = (error as Error).message;
        expect(message).toContain('DATA_KEY');
        expect(message).not.toContain(shortKey);
        expect(message).not.toContain(oldKey);
        expect(message).not.toContain(oldKey.slice(0, 12));
      }
    }
  });

  it('rejects an unknown derivation key id', () => {
    expect(() => parseDataKeys(oldKey, { derivationKeyId: 'k9' })).toThrow(/derivation key id "k9"/);
  });
});

describe('encryptField / decryptField', () => {
  it('round-trips text, including empty and non-ASCII text', () => {
    for (const value of [plaintext, '', 'Zoë Ó Briain – 📞 07700 900123', 'x'.repeat(10_000)]) {
      expect(decryptField(keyring, encryptField(keyring, value, aad), aad)).toBe(value);
    }
  });

  it('produces the documented self-describing format with a fresh IV each time', () => {
    const first = encryptField(keyring, plaintext, aad);
    const second = encryptField(keyring, plaintext, aad);
    expect(first).toMatch(/^v1\.k1\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]+$/);
    expect(first).not.toBe(second);
    expect(first.split('.')[2]).not.toBe(second.split('.')[2]);
    expect(first).not.toContain('Jonathan');
  });

  it('detects a flipped bit in the IV, tag or ciphertext', () => {
    const token = encryptField(keyring, plaintext, aad);
    for (const part of [2, 3, 4]) {
      expectDecryptionFailure(() => decryptField(keyring, flipBit(token, part), aad), 'authentication-failed');
    }
  });

  it('refuses a value moved to another record or field (wrong AAD)', () => {
    const token = encryptField(keyring, plaintext, aad);
    expectDecryptionFailure(() => decryptField(keyring, token, 'referral:43:notes'), 'authentication-failed');
    expectDecryptionFailure(() => decryptField(keyring, token, 'referral:42:name'), 'authentication-failed');
  });

  it('refuses a token whose key id was edited, even to another known key', () => {
    const ring = parseDataKeys(`k2:${newKey},k1:${oldKey}`);
    const token = encryptField(ring, plaintext, aad);
    expectDecryptionFailure(() => decryptField(ring, token.replace('v1.k2.', 'v1.k1.'), aad), 'authentication-failed');
    expectDecryptionFailure(() => decryptField(ring, token.replace('v1.k2.', 'v1.k9.'), aad), 'unknown-key');
  });

  it('refuses the wrong key', () => {
    const token = encryptField(keyring, plaintext, aad);
    expectDecryptionFailure(() => decryptField(parseDataKeys(newKey), token, aad), 'authentication-failed');
  });

  it('refuses malformed and truncated tokens', () => {
    const token = encryptField(keyring, plaintext, aad);
    const parts = token.split('.');
    const malformed = [
      '',
      plaintext,
      token.slice(0, -3),
      token.slice(0, token.lastIndexOf('.')),
      parts.slice(0, 4).join('.'),
      `${token}.extra`,
      token.replace(/^v1/, 'v2'),
      [parts[0], parts[1], parts[2]!.slice(0, 10), parts[3], parts[4]].join('.'),
      [parts[0], parts[1], parts[2], parts[3]!.slice(0, 12), parts[4]].join('.'),
      [parts[0], parts[1], parts[2], parts[3], `${parts[4]}==`].join('.'),
      [parts[0], parts[1], parts[2], parts[3], parts[4]!.replace(/.$/, '+')].join('.'),
    ];
    for (const value of malformed) {
      expectDecryptionFailure(() => decryptField(keyring, value, aad));
    }
    // Truncating the ciphertext keeps the format valid but fails authentication.
    expectDecryptionFailure(
      () => decryptField(keyring, [parts[0], parts[1], parts[2], parts[3], parts[4]!.slice(0, 8)].join('.'), aad),
      'authentication-failed',
    );
  });

  it('requires an AAD', () => {
    expect(() => encryptField(keyring, plaintext, '')).toThrow(TypeError);
    expect(() => decryptField(keyring, encryptField(keyring, plaintext, aad), '')).toThrow(TypeError);
  });
});

describe('encryptJson / decryptJson', () => {
  it('round-trips JSON values', () => {
    const value = { offences: ['IIOC'], bailDate: '2025-03-04', dependants: 2, notes: null };
    expect(decryptJson(keyring, encryptJson(keyring, value, aad), aad)).toEqual(value);
    expect(decryptJson(keyring, encryptJson(keyring, [1, 'two'], aad), aad)).toEqual([1, 'two']);
  });

  it('rejects undefined and reports non-JSON plaintext without quoting it', () => {
    expect(() => encryptJson(keyring, undefined, aad)).toThrow(TypeError);
    const token = encryptField(keyring, plaintext, aad);
    expectDecryptionFailure(() => decryptJson(keyring, token, aad), 'malformed');
  });
});

describe('key rotation', () => {
  const before: Keyring = parseDataKeys(`k1:${oldKey}`);
  const after: Keyring = parseDataKeys(`k2:${newKey},k1:${oldKey}`);

  it('decrypts old values with the old key and flags them for rotation', () => {
    const token = encryptField(before, plaintext, aad);
    expect(needsRotation(before, token)).toBe(false);
    expect(decryptField(after, token, aad)).toBe(plaintext);
    expect(needsRotation(after, token)).toBe(true);

    const rotated = reencryptField(after, token, aad);
    expect(rotated.startsWith('v1.k2.')).toBe(true);
    expect(needsRotation(after, rotated)).toBe(false);
    expect(decryptField(after, rotated, aad)).toBe(plaintext);
    expectDecryptionFailure(() => decryptField(before, rotated, aad), 'unknown-key');
  });

  it('re-encryption still checks the AAD and integrity', () => {
    const token = encryptField(before, plaintext, aad);
    expectDecryptionFailure(() => reencryptField(after, token, 'referral:1:notes'));
    expectDecryptionFailure(() => reencryptField(after, flipBit(token, 4), aad));
  });

  it('needsRotation throws on malformed tokens', () => {
    expect(() => needsRotation(after, 'garbage')).toThrow(FieldDecryptionError);
  });

  it('labels each search hash with the key that made it, and finds old hashes while the old key is listed', () => {
    expect(nameSearchHash(before, 'José Smith')).toMatch(/^k1:[0-9a-f]{64}$/);
    expect(nameSearchHash(after, 'José Smith')).toMatch(/^k2:[0-9a-f]{64}$/);
    expect(nameSearchCandidates(after, 'jose smith')).toContain(nameSearchHash(before, 'José Smith'));
    expect(nameSearchCandidates(after, 'jose smith')).toContain(nameSearchHash(after, 'José Smith'));
    expect(deriveSubkey(after, 'name-search')).toEqual(deriveSubkey(before, 'name-search'));
    expect(deriveSubkey(before, 'name-search')).not.toEqual(deriveSubkey(before, 'other-purpose'));
    expect(deriveSubkey(before, 'name-search')).not.toEqual(Buffer.from(oldKey, 'base64'));
    expect(deriveSubkey(before, 'name-search')).toHaveLength(32);
  });
});

describe('keyed hashing for search', () => {
  it('is stable, keyed and hex encoded', () => {
    const key = deriveSubkey(keyring, 'name-search');
    expect(keyedHash(key, 'jose smith')).toBe(keyedHash(key, 'jose smith'));
    expect(keyedHash(key, 'jose smith')).toMatch(/^[0-9a-f]{64}$/);
    expect(keyedHash(key, 'jose smith')).not.toBe(keyedHash(key, 'jose smyth'));
    expect(keyedHash(key, 'jose smith')).not.toBe(keyedHash(randomBytes(32), 'jose smith'));
  });

  it.each([
    ['  José  SMITH ', 'jose smith'],
    ['JOSÉ\tSmith\n', 'jose smith'],
    ['Jose\u0301 Smith', 'jose smith'],
    ["O'Brien", 'obrien'],
    ['O’Brien', 'obrien'],
    ['St. John', 'st john'],
    ['Smith-Jones', 'smith jones'],
    ['Zoë Ångström', 'zoe angstrom'],
    ['Łukasz Nowak', 'lukasz nowak'],
    ['Søren Kierkegaard', 'soren kierkegaard'],
    ['Straße', 'strasse'],
    ['Ｊｏｓｅ', 'jose'],
    ['  ', ''],
  ])('normalises %j to %j', (input, expected) => {
    expect(normaliseNameForSearch(input)).toBe(expected);
  });

  it('gives equal search hashes for equivalent spellings', () => {
    expect(nameSearchHash(keyring, '  José  SMITH ')).toBe(nameSearchHash(keyring, 'jose smith'));
    expect(nameSearchHash(keyring, 'José Smith')).not.toBe(nameSearchHash(keyring, 'José Smyth'));
  });
});

describe('generateDataKey', () => {
  it('makes distinct 32-byte base64 keys that parseDataKeys accepts', () => {
    const first = generateDataKey();
    expect(Buffer.from(first, 'base64')).toHaveLength(32);
    expect(first).not.toBe(generateDataKey());
    expect(parseDataKeys(first).keys.get('k1')).toHaveLength(32);
  });
});
