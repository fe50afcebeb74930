import { readFileSync } from 'node:fs';
import { runtimePaths } from '../paths.ts';

/**
 * A deny list of common passwords (NCSC and NIST SP 800-63B both recommend one instead of composition rules).
 * Attackers try these first, usually with a year or "123!" on the end, or a 0 for the o, so those variants are
 * treated as the same password.
 */

let commonPasswords: ReadonlySet<string> | undefined;

/** Read once, on first use, so importing this module costs nothing. */
export function loadCommonPasswords(): ReadonlySet<string> {
  commonPasswords ??= new Set(
    readFileSync(runtimePaths.commonPasswords, 'utf8')
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
  return commonPasswords;
}

const LEET_SUBSTITUTIONS: Record<string, string> = {
  '@': 'a',
  '4': 'a',
  '8': 'b',
  '3': 'e',
  '6': 'g',
  '!': 'i',
  '0': 'o',
  $: 's',
  '5': 's',
  '7': 't',
  '+': 't',
};

function undoLeetSpeak(value: string, one: 'i' | 'l'): string {
  return value.replace(/[@483!0$57+1]/g, (character) =>
    character === '1' ? one : (LEET_SUBSTITUTIONS[character] ?? character),
  );
}

/** "Password2024!" -> "password": digits and symbols wrapped around a word add little to guessing time. */
function stripSurroundingNonLetters(value: string): string {
  return value.replace(/^[^\p{L}]+|[^\p{L}]+$/gu, '');
}

export function isCommonPassword(password: string): boolean {
  const list = loadCommonPasswords();
  const lower = password.normalize('NFKC').toLowerCase();
  const core = stripSurroundingNonLetters(lower);
  const candidates = new Set([lower, core]);
  for (const one of ['i', 'l'] as const) {
    candidates.add(undoLeetSpeak(lower, one));
    candidates.add(undoLeetSpeak(core, one));
    candidates.add(stripSurroundingNonLetters(undoLeetSpeak(core, one)));
  }
  for (const candidate of candidates) {
    // Very short cores ("ab" in "ab1234567890") are judged by the length rule, not this list.
    if (candidate.length >= 4 && list.has(candidate)) return true;
  }
  return false;
}
