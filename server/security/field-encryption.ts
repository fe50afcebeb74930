import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { pooledRandomBytes } from './random.ts';

/**
 * Field-level encryption for special category and criminal-offence data at rest.
 *
 * Each sensitive column holds a self-describing token `v1.<keyId>.<iv>.<tag>.<ciphertext>` (base64url parts),
 * so a database dump alone reveals nothing, keys can be rotated without a flag day, and the AAD (for example
 * `referral:42:name`) stops an attacker with write access to the database from moving a value to another row or
 * field, where it would still decrypt.
 */

const TOKEN_VERSION = 'v1';
const KEY_BYTES = 32;
const IV_BYTES = 12; // the GCM standard nonce size; other sizes are hashed into one and lose guarantees
const TAG_BYTES = 16;
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;
const DEFAULT_KEY_ID = 'k1';

export interface Keyring {
  /** Key id used for every new encryption. */
  readonly currentKeyId: string;
  /**
   * Key id that `deriveSubkey` derives from. Derived keys (the name-search HMAC key) must stay the same when
   * the data key rotates, otherwise every stored search hash silently stops matching.
   */
  readonly derivationKeyId: string;
  readonly keys: ReadonlyMap<string, Buffer>;
}

export class DataKeyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataKeyConfigError';
  }
}

export type FieldDecryptionFailure = 'malformed' | 'unknown-key' | 'authentication-failed';

/**
 * Deliberately carries no cause, plaintext, AAD or key material: these errors end up in logs, and the AAD names the
 * record. Callers that need context should log the record id themselves.
 */
export class FieldDecryptionError extends Error {
  readonly reason: FieldDecryptionFailure;

  constructor(reason: FieldDecryptionFailure) {
    super(
      reason === 'malformed'
        ? 'Could not decrypt field: the stored value is not a valid encrypted field.'
        : reason === 'unknown-key'
          ? 'Could not decrypt field: it was encrypted with a key that is not in DATA_KEY.'
          : 'Could not decrypt field: the value was altered, belongs to another record or field, or the key is wrong.',
    );
    this.name = 'FieldDecryptionError';
    this.reason = reason;
  }
}

export interface ParseDataKeysOptions {
  /**
   * Which key id derived keys come from. Defaults to the LAST entry of DATA_KEY, i.e. the oldest key, on the
   * convention that keys are listed newest first and new keys are added at the front.
   */
  derivationKeyId?: string;
}

/**
 * Accepts either a single base64/hex 32-byte key (given the id "k1") or `id:key,id:key,...` where the first entry is
 * the current key and the rest remain available for decryption during rotation.
 */
export function parseDataKeys(value: string, options: ParseDataKeysOptions = {}): Keyring {
  const trimmed = value.trim();
  if (trimmed === '') throw new DataKeyConfigError('DATA_KEY is empty: expected a base64 or hex encoded 32-byte key.');

  const entries = trimmed.split(',').map((entry) => entry.trim());
  const isSingleBareKey = entries.length === 1 && !entries[0]!.includes(':');
  const keys = new Map<string, Buffer>();

  entries.forEach((entry, index) => {
    const position = `DATA_KEY entry ${index + 1}`;
    let keyId: string;
    let encodedKey: string;
    if (isSingleBareKey) {
      keyId = DEFAULT_KEY_ID;
      encodedKey = entry;
    } else {
      const separator = entry.indexOf(':');
      if (separator === -1) {
        throw new DataKeyConfigError(`${position} must look like "id:key" when DATA_KEY lists more than one key.`);
      }
      keyId = entry.slice(0, separator).trim();
      encodedKey = entry.slice(separator + 1).trim();
    }
    if (!KEY_ID_PATTERN.test(keyId)) {
      throw new DataKeyConfigError(
        `${position} has an invalid key id: use 1-32 letters, digits, "-" or "_" (no dots, they separate token parts).`,
      );
    }
    if (keys.has(keyId)) throw new DataKeyConfigError(`DATA_KEY lists key id "${keyId}" more than once.`);
    keys.set(keyId, decodeKey(encodedKey, `${position} (key id "${keyId}")`));
  });

  const ids = [...keys.keys()];
  const derivationKeyId = options.derivationKeyId ?? ids[ids.length - 1]!;
  if (!keys.has(derivationKeyId)) {
    throw new DataKeyConfigError(`The derivation key id "${derivationKeyId}" is not one of the ids in DATA_KEY.`);
  }
  return Object.freeze({ currentKeyId: ids[0]!, derivationKeyId, keys });
}

function decodeKey(encoded: string, description: string): Buffer {
  let key: Buffer;
  if (/^[0-9a-fA-F]{64}$/.test(encoded)) {
    // Checked before base64: 64 hex characters are also valid base64 (of 48 bytes).
    key = Buffer.from(encoded, 'hex');
  } else if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) {
    key = Buffer.from(encoded, 'base64');
  } else {
    throw new DataKeyConfigError(`${description} is not valid base64 or hex.`);
  }
  if (key.length !== KEY_BYTES) {
    throw new DataKeyConfigError(`${description} must be exactly 32 bytes; it decodes to ${key.length} bytes.`);
  }
  return key;
}

/** Base64 of 32 random bytes, the format `parseDataKeys` expects. */
export function generateDataKey(): string {
  return randomBytes(KEY_BYTES).toString('base64');
}

/** The key id and version go into the GCM AAD too, so the token header cannot be edited without detection. */
function buildAad(keyId: string, aad: string): Buffer {
  return Buffer.from(`${TOKEN_VERSION}\u0000${keyId}\u0000${aad}`, 'utf8');
}

function requireContext(aad: string): void {
  // An empty AAD would silently give up the protection against swapping values between rows and fields.
  if (aad.length === 0) throw new TypeError('Field encryption needs a non-empty AAD such as "referral:<id>:<field>".');
}

export function encryptField(keyring: Keyring, plaintext: string, aad: string): string {
  requireContext(aad);
  const keyId = keyring.currentKeyId;
  const key = keyring.keys.get(keyId);
  if (!key) throw new DataKeyConfigError(`The current key id "${keyId}" is missing from the keyring.`);
  const iv = pooledRandomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(buildAad(keyId, aad));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    TOKEN_VERSION,
    keyId,
    iv.toString('base64url'),
    tag.toString('base64url'),
    ciphertext.toString('base64url'),
  ].join('.');
}

interface ParsedToken {
  keyId: string;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

function decodeBase64UrlStrict(part: string): Buffer | null {
  if (!BASE64URL_PATTERN.test(part)) return null;
  const bytes = Buffer.from(part, 'base64url');
  // Reject non-canonical encodings so that one ciphertext has exactly one textual form.
  return bytes.toString('base64url') === part ? bytes : null;
}

function parseToken(token: string): ParsedToken {
  if (typeof token !== 'string') throw new FieldDecryptionError('malformed');
  const parts = token.split('.');
  if (parts.length !== 5) throw new FieldDecryptionError('malformed');
  const [version, keyId, ivPart, tagPart, ciphertextPart] = parts as [string, string, string, string, string];
  if (version !== TOKEN_VERSION || !KEY_ID_PATTERN.test(keyId)) throw new FieldDecryptionError('malformed');
  const iv = decodeBase64UrlStrict(ivPart);
  const tag = decodeBase64UrlStrict(tagPart);
  const ciphertext = decodeBase64UrlStrict(ciphertextPart);
  if (!iv || iv.length !== IV_BYTES || !tag || tag.length !== TAG_BYTES || !ciphertext) {
    throw new FieldDecryptionError('malformed');
  }
  return { keyId, iv, tag, ciphertext };
}

export function decryptField(keyring: Keyring, token: string, aad: string): string {
  requireContext(aad);
  const { keyId, iv, tag, ciphertext } = parseToken(token);
  const key = keyring.keys.get(keyId);
  if (!key) throw new FieldDecryptionError('unknown-key');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(buildAad(keyId, aad));
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    // fatal: a successfully authenticated value that is not UTF-8 means we wrote it wrongly; fail loudly.
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new FieldDecryptionError('authentication-failed');
  }
}

export function encryptJson(keyring: Keyring, value: unknown, aad: string): string {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError('encryptJson needs a JSON-serialisable value.');
  return encryptField(keyring, json, aad);
}

/** Returns `unknown` on purpose: validate the shape (for example with zod) at the call site. */
export function decryptJson(keyring: Keyring, token: string, aad: string): unknown {
  const json = decryptField(keyring, token, aad);
  try {
    return JSON.parse(json) as unknown;
  } catch {
    // JSON.parse messages quote the input, which here is decrypted sensitive data.
    throw new FieldDecryptionError('malformed');
  }
}

/** True when the token was encrypted under a key other than the current one. Throws on malformed tokens. */
export function needsRotation(keyring: Keyring, token: string): boolean {
  return parseToken(token).keyId !== keyring.currentKeyId;
}

/** Decrypts (so tampering is still detected) and encrypts again under the current key with a fresh IV. */
export function reencryptField(keyring: Keyring, token: string, aad: string): string {
  return encryptField(keyring, decryptField(keyring, token, aad), aad);
}

/**
 * A purpose-specific 32-byte key derived with HKDF-SHA256 from the keyring's derivation key (not the current key),
 * so a single DATA_KEY secret covers encryption and keyed hashing, and hashes survive data key rotation.
 * If the derivation key itself is ever replaced, every hash derived from it must be recomputed.
 */
export function deriveSubkey(keyring: Keyring, purpose: string): Buffer {
  const root = keyring.keys.get(keyring.derivationKeyId);
  if (!root)
    throw new DataKeyConfigError(`The derivation key id "${keyring.derivationKeyId}" is missing from the keyring.`);
  return Buffer.from(
    hkdfSync('sha256', root, 'safer-lives-portal/subkey', `safer-lives-portal/${purpose}/v1`, KEY_BYTES),
  );
}

/** HMAC-SHA256, hex encoded: lets us index and look up equal values without storing them in clear. */
export function keyedHash(key: Buffer, value: string): string {
  return createHmac('sha256', key).update(value, 'utf8').digest('hex');
}

// Letters that NFKD does not decompose into a base letter plus combining marks.
const LETTER_FOLDS: Record<string, string> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
};

/**
 * Folds the ways one name gets typed ("  José  SMITH ", "jose smith", "O’Brien" / "OBrien") to one form. Apostrophes
 * and full stops disappear (O'Brien -> obrien, St. John -> st john); other punctuation, such as the hyphen in a
 * double-barrelled name, becomes a space so each part stays a separate word.
 */
export function normaliseNameForSearch(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðłþı]/g, (letter) => LETTER_FOLDS[letter] ?? letter)
    .replace(/['’‘ʼ`´.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

// Keyrings are frozen, so a subkey derived from one never changes: derived once per keyring, key and purpose.
const subkeys = new WeakMap<Keyring, Map<string, Buffer>>();

/** A purpose-specific key derived (HKDF-SHA256) from one named key of the keyring. */
function subkeyOf(keyring: Keyring, keyId: string, purpose: string): Buffer {
  let byName = subkeys.get(keyring);
  if (!byName) subkeys.set(keyring, (byName = new Map()));
  const name = `${keyId}\u0000${purpose}`;
  let subkey = byName.get(name);
  if (!subkey) {
    const root = keyring.keys.get(keyId);
    if (!root) throw new DataKeyConfigError(`Key id "${keyId}" is missing from the keyring.`);
    subkey = Buffer.from(
      hkdfSync('sha256', root, 'safer-lives-portal/subkey', `safer-lives-portal/${purpose}/v1`, KEY_BYTES),
    );
    byName.set(name, subkey);
  }
  return subkey;
}

/** `<keyId>:<hmac>`: every search hash records the key that made it, so rotation never silently breaks search. */
function searchHashWith(keyring: Keyring, keyId: string, purpose: string, value: string): string {
  return `${keyId}:${keyedHash(subkeyOf(keyring, keyId, purpose), value)}`;
}

/**
 * The stored search value for a person's whole name, made with the CURRENT key and recording its id
 * (`k2:…`). Equal for names that `normaliseNameForSearch` treats as equal.
 */
export function nameSearchHash(keyring: Keyring, name: string): string {
  return searchHashWith(keyring, keyring.currentKeyId, 'name-search', normaliseNameForSearch(name));
}

/** The key id a stored search hash was made with; null for a hash from before key ids were recorded. */
export function searchHashKeyId(hash: string): string | null {
  const separator = hash.indexOf(':');
  return separator === -1 ? null : hash.slice(0, separator);
}

/**
 * Every value a stored whole-name hash for `name` can have under this keyring: one per key in DATA_KEY (so
 * during a rotation both the old and the new key's hashes are found), plus the older unlabelled form, which
 * was made from the last key in DATA_KEY. `npm run keys:rotate` rewrites every hash under the current key, so
 * once it has run the old key can go.
 */
export function nameSearchCandidates(keyring: Keyring, name: string): string[] {
  const normalised = normaliseNameForSearch(name);
  return [
    ...[...keyring.keys.keys()].map((keyId) => searchHashWith(keyring, keyId, 'name-search', normalised)),
    keyedHash(deriveSubkey(keyring, 'name-search'), normalised),
  ];
}

/** The separate words of a name as search sees them ("Mary-Jane O'Brien" -> mary, jane, obrien), each once. */
export function namePartsForSearch(name: string): string[] {
  return [...new Set(normaliseNameForSearch(name).split(' ').filter(Boolean))];
}

/** One keyed hash per word of his name, under the current key: staff find "John Smith" by "John" or "Smith". */
export function namePartHashes(keyring: Keyring, name: string): string[] {
  return namePartsForSearch(name).map((part) => searchHashWith(keyring, keyring.currentKeyId, 'name-part', part));
}

/** Every value a stored hash of one word (already normalised) can have under this keyring, one per key. */
export function namePartCandidates(keyring: Keyring, part: string): string[] {
  return [...keyring.keys.keys()].map((keyId) => searchHashWith(keyring, keyId, 'name-part', part));
}
