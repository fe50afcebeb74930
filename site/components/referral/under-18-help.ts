/**
 * Who we point someone under 18 to. Only what the domain brief supports (../shared/domain/brief.md,
 * section 4): emergency services (or A&E), the NHS mental health option ("24/7, all ages") and
 * Samaritans, taken from site/facts/crisis-lines.ts (the one definition of every number), and plain advice
 * to talk to an adult they trust or their GP. No number is written here.
 */
import { crisisLines, type CrisisLine } from '../../facts/crisis-lines.ts';

/** The crisis lines, in this order, that the brief says anyone can use whatever their age. */
export const UNDER_18_LINE_IDS = ['emergency', 'nhs-111', 'samaritans'] as const satisfies readonly CrisisLine['id'][];

export const under18Lines: readonly CrisisLine[] = UNDER_18_LINE_IDS.map((id) => {
  const line = crisisLines.find((candidate) => candidate.id === id);
  if (!line) throw new Error(`site/facts/crisis-lines.ts has no line "${id}"`);
  return line;
});

export const under18Advice =
  'You are not on your own. Talk to an adult you trust, like a parent, a teacher or someone else in your family, or to your GP.';
