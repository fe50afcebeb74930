/**
 * A page that mentions a helpline shows its number, from site/facts/crisis-lines.ts (the one data file).
 * Checked on every built page and on the referral page; a page made to break the rule must fail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crisisLines } from '../../../site/facts/crisis-lines.ts';
import { helplinesMentioned, helplinesWithoutNumber } from '../../../site/components/lib/helplines.ts';
import { buildTestApp, type TestApp } from '../../helpers/app.ts';
import { builtPages, elementById, readBuiltPage, textOf } from './support.ts';

/** The page's text without its Sources list: a cited article's title names its publisher, not a helpline to call. */
const textWithoutSources = (html: string) => textOf(html.replace(/<section class="sources"[\s\S]*?<\/section>/, ''));

const pages = builtPages();
const line = (id: string) => crisisLines.find((l) => l.id === id)!;

describe('helplines are shown with their numbers', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(async () => t.cleanup());

  it.each(pages)('%s shows the number of every helpline it names', (path) => {
    const missing = helplinesWithoutNumber(textWithoutSources(readBuiltPage(path))).map((l) => l.name);
    expect(missing).toEqual([]);
  });

  it('the referral page shows the number of every helpline it names', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/refer/' });
    expect(helplinesWithoutNumber(textWithoutSources(res.body)).map((l) => l.name)).toEqual([]);
  });

  it('the family page says what to do if a child is in danger now, with the emergency number from the data', () => {
    const box = elementById(readBuiltPage('/family-and-partners/'), 'child-in-danger')!;
    expect(box).toContain(`href="${line('emergency').tel}"`);
    expect(textOf(box)).toContain("children's social care team at your local council, or the police");
  });

  it('the family page names Stop It Now and shows its number', () => {
    const text = textOf(readBuiltPage('/family-and-partners/'));
    expect(helplinesMentioned(text).map((l) => l.id)).toContain('stop-it-now');
    expect(text.replace(/\u00a0/g, ' ')).toContain(line('stop-it-now').number);
  });

  it('a page naming a helpline without its number fails', () => {
    const stopItNow = line('stop-it-now');
    const text = 'You can call the Stop It Now helpline for advice.';
    expect(helplinesWithoutNumber(text).map((l) => l.id)).toEqual(['stop-it-now']);
    expect(helplinesWithoutNumber(`${text} Call ${stopItNow.number}.`)).toEqual([]);
    // The real family page, with the number taken out, fails too.
    const family = textOf(readBuiltPage('/family-and-partners/')).replace(/\u00a0/g, ' ');
    expect(helplinesWithoutNumber(family.replaceAll(stopItNow.number, '')).map((l) => l.id)).toContain('stop-it-now');
    // Words that only look like a name do not count: "shout" is not Shout, "calm" is not CALM.
    expect(helplinesMentioned('Try to stay calm and do not shout.')).toEqual([]);
  });

  it('every helpline that states its confidentiality shows it where helplines are listed', () => {
    const list = textOf(elementById(readBuiltPage('/looking-after-yourself/'), 'crisis-lines')!);
    for (const l of crisisLines.filter((c) => c.confidentiality)) expect(list).toContain(l.confidentiality!);
  });
});

describe('crisis lines by nation', () => {
  it('111 mental health option is for England and Wales; Scotland and Northern Ireland have their own lines', () => {
    expect(line('nhs-111').nations).toEqual(['england-and-wales']);
    expect(line('nhs-24').nations).toEqual(['scotland']);
    expect(line('breathing-space').nations).toEqual(['scotland']);
    expect(line('lifeline').nations).toEqual(['northern-ireland']);
  });

  it('Breathing Space is not described as 24 hours', () => {
    expect(line('breathing-space').hours).not.toMatch(/^24 hours/i);
    expect(line('breathing-space').hours).toMatch(/not 24 hours/i);
    expect(line('breathing-space').hours).toMatch(/evenings and weekends/i);
  });

  it.each(pages)('%s crisis panel shows the Scotland and Northern Ireland lines', (path) => {
    const panel = textOf(elementById(readBuiltPage(path), 'crisis-help')!).replace(/\u00a0/g, ' ');
    for (const id of ['nhs-24', 'breathing-space', 'lifeline']) expect(panel).toContain(line(id).number);
    expect(panel).toContain('In Scotland');
    expect(panel).toContain('In Northern Ireland');
    expect(panel).toContain('evenings and weekends');
  });

  it('Stop It Now and Samaritans state their confidentiality in their current words', () => {
    expect(line('stop-it-now').confidentiality).toMatch(/criminal offence/);
    expect(line('samaritans').confidentiality).toMatch(/cannot make decisions for yourself/);
    expect(line('samaritans').confidentiality).not.toMatch(/life is in danger/);
  });
});
