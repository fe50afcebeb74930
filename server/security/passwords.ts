import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { isCommonPassword } from './common-passwords.ts';

/**
 * Staff password hashing with scrypt at the OWASP-recommended cost (N=2^17, r=8, p=1), stored self-describing as
 * `scrypt$<log2 N>$<r>$<p>$<salt b64>$<hash b64>` so the cost can be raised later and old hashes upgraded at the
 * next successful sign-in (`needsRehash`).
 *
 * Each hash needs 128 * N * r = 128 MiB of memory and runs on libuv's thread pool (4 threads by default), so sign-in
 * must be rate limited: a burst of attempts is bounded by the pool size, not by the request rate.
 */

export interface ScryptParameters {
  log2N: number;
  r: number;
  p: number;
}

export const CURRENT_SCRYPT_PARAMETERS: Readonly<ScryptParameters> = Object.freeze({ log2N: 17, r: 8, p: 1 });
/** The lowest cost `useCheaperScryptForTests` accepts: still real scrypt, just 128 times cheaper. */
const MIN_TEST_LOG2N = 10;
let activeParameters: Readonly<ScryptParameters> = CURRENT_SCRYPT_PARAMETERS;

/**
 * Test suites only: hash new passwords (and dummy checks) at a lower scrypt cost, so the hundreds of sign-ins the
 * back-office tests make take milliseconds instead of a third of a second each (tests/setup/cheap-scrypt.ts).
 * Everything else is unchanged: the same code path, the same format, verification from the stored parameters.
 * `null` goes back to CURRENT_SCRYPT_PARAMETERS (tests about the production cost do that). Refused with
 * NODE_ENV=production, and nothing outside tests/ calls it (tests/unit/security/passwords.test.ts checks both).
 */
export function useCheaperScryptForTests(parameters: ScryptParameters | null): void {
  if (process.env.NODE_ENV === 'production') throw new Error('Cheaper password hashing is for test suites only.');
  if (parameters && (parameters.log2N < MIN_TEST_LOG2N || parameters.log2N > CURRENT_SCRYPT_PARAMETERS.log2N)) {
    throw new Error(`Test scrypt cost must be between 2^${MIN_TEST_LOG2N} and the production cost.`);
  }
  activeParameters = parameters ? Object.freeze({ ...parameters }) : CURRENT_SCRYPT_PARAMETERS;
}

/** The cost new hashes are made with: CURRENT_SCRYPT_PARAMETERS except inside a test suite that lowered it. */
export function activeScryptParameters(): Readonly<ScryptParameters> {
  return activeParameters;
}
const SALT_BYTES = 16;
const HASH_BYTES = 64;
// Upper bounds on what we accept from storage, so a corrupted or planted hash cannot make a sign-in attempt use
// gigabytes of memory or minutes of CPU.
const MAX_LOG2N = 20;
const MAX_R = 32;
const MAX_P = 16;

export class PasswordHashFormatError extends Error {
  constructor() {
    super('The stored password hash is not in the expected scrypt format.');
    this.name = 'PasswordHashFormatError';
  }
}

/** Every hashing slot and queue place is taken: the caller should answer 503 with Retry-After. */
export class PasswordHashingBusyError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('Too many password checks are running; try again shortly.');
    this.name = 'PasswordHashingBusyError';
  }
}

export interface HashingLimiter {
  /**
   * Runs `task` when a slot is free. With `mustRun: false` (a sign-in attempt) it throws PasswordHashingBusyError
   * at once when every slot is busy and the short queue is full; with `mustRun: true` (setting a password) it waits.
   */
  run<T>(task: () => Promise<T>, options: { mustRun: boolean }): Promise<T>;
  readonly running: number;
  readonly queued: number;
}

/**
 * A small concurrency limit with a short queue. Each hash takes 128 MiB and a thread of libuv's pool (the pool
 * that also reads files and compresses): without a limit, a burst of sign-in attempts piles up hashes without end,
 * eats both cores and every pool thread, and public pages wait behind them.
 */
export function createHashingLimiter({
  concurrency,
  maxQueue,
  retryAfterSeconds,
}: {
  concurrency: number;
  maxQueue: number;
  retryAfterSeconds: number;
}): HashingLimiter {
  let running = 0;
  const waiting: Array<() => void> = [];
  const release = () => {
    running--;
    const next = waiting.shift();
    if (next) {
      running++;
      next();
    }
  };
  return {
    get running() {
      return running;
    },
    get queued() {
      return waiting.length;
    },
    async run(task, { mustRun }) {
      if (running >= concurrency) {
        if (!mustRun && waiting.length >= maxQueue) throw new PasswordHashingBusyError(retryAfterSeconds);
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
  };
}

/**
 * One hash at a time (a second would take the other core from the public site) and four waiting: at about 0.3 s a
 * hash, a real sign-in waits at most a second or two, and everything beyond is told to come back in a few seconds.
 */
export const passwordHashing: HashingLimiter = createHashingLimiter({
  concurrency: 1,
  maxQueue: 4,
  retryAfterSeconds: 5,
});

function scryptAsync(password: string, salt: Buffer, keyLength: number, parameters: ScryptParameters): Promise<Buffer> {
  const N = 2 ** parameters.log2N;
  const options: ScryptOptions = {
    N,
    r: parameters.r,
    p: parameters.p,
    // OpenSSL needs 128*r*(N+2) for V plus 128*r*p for B; Node's 32 MiB default is far below N=2^17.
    maxmem: 128 * parameters.r * (N + 2 + parameters.p) * 2,
  };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, keyLength, options, (error, derivedKey) => (error ? reject(error) : resolve(derivedKey)));
  });
}

/** The same password typed on different devices can arrive as different Unicode sequences (é vs e + accent). */
function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const parameters = activeParameters;
  const hash = await passwordHashing.run(() => scryptAsync(normalisePassword(password), salt, HASH_BYTES, parameters), {
    mustRun: true,
  });
  return formatHash(parameters, salt, hash);
}

function formatHash(parameters: ScryptParameters, salt: Buffer, hash: Buffer): string {
  return [
    'scrypt',
    parameters.log2N,
    parameters.r,
    parameters.p,
    salt.toString('base64'),
    hash.toString('base64'),
  ].join('$');
}

interface ParsedHash {
  parameters: ScryptParameters;
  salt: Buffer;
  hash: Buffer;
}

function parseSmallInteger(text: string, max: number): number | null {
  if (!/^[1-9]\d{0,2}$/.test(text)) return null;
  const value = Number(text);
  return value <= max ? value : null;
}

function decodeBase64(text: string): Buffer | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  return Buffer.from(text, 'base64');
}

export function parsePasswordHash(stored: string): ParsedHash {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') throw new PasswordHashFormatError();
  const log2N = parseSmallInteger(parts[1]!, MAX_LOG2N);
  const r = parseSmallInteger(parts[2]!, MAX_R);
  const p = parseSmallInteger(parts[3]!, MAX_P);
  const salt = decodeBase64(parts[4]!);
  const hash = decodeBase64(parts[5]!);
  if (log2N === null || r === null || p === null || !salt || !hash) throw new PasswordHashFormatError();
  if (salt.length < 8 || hash.length < 16 || hash.length > 128) throw new PasswordHashFormatError();
  return { parameters: { log2N, r, p }, salt, hash };
}

export type PasswordVerification = { ok: boolean; needsRehash: boolean };

function isWeakerThanCurrent(parsed: ParsedHash): boolean {
  const current = activeParameters;
  return (
    parsed.parameters.log2N < current.log2N ||
    parsed.parameters.r < current.r ||
    parsed.parameters.p < current.p ||
    parsed.salt.length < SALT_BYTES ||
    parsed.hash.length < HASH_BYTES
  );
}

/**
 * Throws PasswordHashFormatError for a stored value we cannot read: that is a data fault to surface, not a wrong
 * password. `needsRehash` is only ever true after a correct password, when the caller can store a fresh hash.
 */
export async function verifyPassword(stored: string, password: string): Promise<PasswordVerification> {
  const parsed = parsePasswordHash(stored);
  // Throws PasswordHashingBusyError when the hashing queue is full (the same for known and unknown emails).
  const candidate = await passwordHashing.run(
    () => scryptAsync(normalisePassword(password), parsed.salt, parsed.hash.length, parsed.parameters),
    { mustRun: false },
  );
  const ok = timingSafeEqual(candidate, parsed.hash);
  return { ok, needsRehash: ok && isWeakerThanCurrent(parsed) };
}

/**
 * Spends the same time and memory as checking a real password, for sign-in attempts with an unknown email address,
 * so response times do not reveal whether someone has an account. Always fails.
 */
export async function dummyVerify(password: string): Promise<PasswordVerification> {
  const unmatchable = formatHash(activeParameters, randomBytes(SALT_BYTES), randomBytes(HASH_BYTES));
  await verifyPassword(unmatchable, password);
  return { ok: false, needsRehash: false };
}

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

export type PasswordPolicyResult = { ok: true } | { ok: false; message: string };

const SEQUENCES = [
  '0123456789012345678901234567890123456789',
  'abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz',
  'qwertyuiopqwertyuiopqwertyuiop',
  'asdfghjklasdfghjklasdfghjkl',
  'zxcvbnmzxcvbnmzxcvbnm',
  'qwertyuiopasdfghjklzxcvbnm',
  '1234567890qwertyuiopasdfghjklzxcvbnm',
];

/** "aaaaaaaaaaaa", "abcabcabcabc", "123456789012", "zyxwvutsrqpo": long, but among the first things tried. */
function isRepeatOrSequence(lower: string): boolean {
  if (/^([\s\S]{1,4})\1+$/u.test(lower)) return true;
  const reversed = [...lower].reverse().join('');
  return SEQUENCES.some((sequence) => sequence.includes(lower) || sequence.includes(reversed));
}

/**
 * Length and a deny list rather than composition rules, following NCSC guidance: rules like "must contain a symbol"
 * push people towards predictable patterns. Length counts characters as people see them, not UTF-16 code units.
 */
export function checkPasswordPolicy(
  password: string,
  { email, name }: { email?: string | null; name?: string | null } = {},
): PasswordPolicyResult {
  const normalised = normalisePassword(password);
  const length = [...normalised].length;
  if (length < MIN_PASSWORD_LENGTH) {
    return { ok: false, message: `Your password must be at least ${MIN_PASSWORD_LENGTH} characters long.` };
  }
  if (length > MAX_PASSWORD_LENGTH) {
    return { ok: false, message: `Your password must be ${MAX_PASSWORD_LENGTH} characters or fewer.` };
  }
  const lower = normalised.toLowerCase();

  const localPart = email?.split('@')[0]?.trim().toLowerCase() ?? '';
  if (localPart.length >= 3 && lower.includes(localPart)) {
    return { ok: false, message: 'Your password must not contain your email address.' };
  }
  const nameParts = (name ?? '')
    .normalize('NFKC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((part) => part.length >= 4); // shorter parts (Jo, Tom) occur inside too many ordinary words
  if (nameParts.some((part) => lower.includes(part))) {
    return { ok: false, message: 'Your password must not contain your name.' };
  }
  if (isRepeatOrSequence(lower)) {
    return {
      ok: false,
      message: 'Your password must not be a repeated or sequential pattern, like "aaaaaaaaaaaa" or "123456789012".',
    };
  }
  if (isCommonPassword(lower)) {
    return {
      ok: false,
      // No example passphrase: people copy examples.
      message: 'Your password is too common and would be easy to guess. Try three random words instead.',
    };
  }
  return { ok: true };
}
