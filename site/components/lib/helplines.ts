/**
 * Which helplines a piece of text mentions, and whether it also shows their numbers.
 * Pure and free of astro:content, so the content pages and the tests share one rule.
 */
import { crisisLines, type CrisisLine } from '../../facts/crisis-lines.ts';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Lines whose name (any of `mentionedAs`) appears in the text as a whole word, case-sensitively. */
export function helplinesMentioned(text: string, lines: readonly CrisisLine[] = crisisLines): CrisisLine[] {
  return lines.filter((line) =>
    line.mentionedAs.some((name) => new RegExp(`(?<![\\w])${escape(name)}(?![\\w])`).test(text)),
  );
}

/** Mentioned lines whose number does not appear in the text (spaces and non-breaking spaces ignored). */
export function helplinesWithoutNumber(text: string, lines: readonly CrisisLine[] = crisisLines): CrisisLine[] {
  const flat = text.replace(/[\s\u00a0]+/g, ' ');
  return helplinesMentioned(flat, lines).filter((line) => {
    const digits = line.number.replace(/\D/g, '').split('').join('[\\s\\u00a0]?');
    return !new RegExp(`(?<!\\d)${digits}(?!\\d)`).test(flat);
  });
}
