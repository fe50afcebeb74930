/**
 * The brief's Corrections of 2 December 2026, and the missing content the issue lists, as they must read on the
 * built pages. Each check names the page and the wording that must (or must no longer) be there, so a page
 * that slips back to the old law fails.
 */
import { describe, expect, it } from 'vitest';
import { crisisLines } from '../../../site/facts/crisis-lines.ts';
import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';
import { organisation } from '../../../site/facts/organisation.ts';
import { builtPages, elementById, readBuiltPage, textOf } from './support.ts';

const text = (path: string) => textOf(readBuiltPage(path)).replace(/\u00a0/g, ' ');

describe('Corrections of 2 December 2026', () => {
  it('sentencing: Sentencing Act 2026, conviction date, 3 years, 12 months presumption, custody beside suspended', () => {
    for (const path of ['/journey/sentencing/', '/journey/prison-and-probation/']) {
      const t = text(path);
      expect(t, path).toContain('22 March 2026');
      expect(t, path).toMatch(/up to 3 years can be suspended|up to \*?\*?3 years\*?\*? can be suspended/);
      expect(t, path).toMatch(/date you are convicted/);
      expect(t, path).toMatch(/12 months or less must be suspended|12 months or less\*?\*?, the court \*?\*?must/);
      expect(t, path).not.toMatch(/sentence of 2 years or less can be suspended/);
      expect(t, path).not.toMatch(/do not know if these changes are law/);
    }
    const sentencing = text('/journey/sentencing/');
    expect(sentencing).toContain('Sentencing Act 2026');
    expect(sentencing).toContain('None of this promises any outcome');
    expect(sentencing).toContain('A suspended sentence.');
    expect(sentencing).toContain('Custody straight away.');
  });

  it('charging: the CPS decides, with DPP consent; police cannot charge these offences', () => {
    const t = text('/journey/charging-decision/');
    expect(t).toContain('Director of Public Prosecutions');
    expect(t).toContain('The police cannot charge these offences on their own');
    expect(t).not.toMatch(/police may be able to decide to charge/);
  });

  it('notification: under 16 on both limbs, with the solicitor caveat', () => {
    const t = text('/journey/notification-and-shpos/');
    expect(t).toMatch(
      /the images showed children under 16; and either you were 18 or over, or you were sentenced to at least 12 months/,
    );
    expect(t).toContain('A solicitor must confirm how it applies to your own case');
    expect(t).not.toMatch(/if you are sent to prison for 12 months or more\./);
  });

  it('notification: 3 days, custody does not count, yearly, failing to notify is an offence', () => {
    const t = text('/journey/notification-and-shpos/');
    expect(t).toContain('Time you spend in custody does not count towards the 3 days');
    expect(t).toContain('at least once a year');
    expect(t).toContain('Failing to notify the police without a reasonable excuse is a criminal offence');
    expect(text('/journey/prison-and-probation/')).toContain('Time spent in custody does not count');
  });

  it('police "will ask" for details of children (no legal duty claimed)', () => {
    for (const path of ['/journey/arrest-or-voluntary-interview/', '/journey/childrens-social-care/']) {
      const t = text(path);
      expect(t, path).toMatch(/[Tt]he police will ask you for details of children/);
      expect(t, path).not.toMatch(/you must give the police details of children/i);
    }
  });

  it('Stop It Now and Samaritans confidentiality in current words; Breathing Space not 24/7', () => {
    const list = text('/looking-after-yourself/');
    expect(list).toContain(crisisLines.find((l) => l.id === 'stop-it-now')!.confidentiality!);
    expect(list).toContain(crisisLines.find((l) => l.id === 'samaritans')!.confidentiality!);
    expect(list).not.toMatch(/Samaritans says there are some exceptions/);
    expect(list).toMatch(
      /Breathing Space \(Scotland\) Call 0800 83 85 87 When: Evenings and weekends only, not 24 hours/,
    );
  });

  it('our confidentiality statement is shown as a model to agree, mentioning court orders', () => {
    const about = text('/about/');
    expect(about).toContain(confidentialityStatement.modelNotice);
    expect(about).toContain('A court can order us to hand over our records');
  });

  it('fees: never implied free; explained at first contact', () => {
    expect(organisation.fees).not.toBeNull();
    for (const path of ['/', '/about/', '/for-professionals/', '/for-professionals/leaflet/']) {
      expect(text(path), path).toMatch(/We charge fees/);
      expect(text(path), path).toMatch(/first contact/);
    }
  });
});

describe('missing content, now present', () => {
  it('arrest page opens with a first 48 hours box', () => {
    const html = readBuiltPage('/journey/arrest-or-voluntary-interview/');
    const box = /<div class="now-box">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';
    const t = textOf(box);
    expect(t).toContain('Your first 48 hours');
    for (const phrase of [
      'free legal advice',
      'custody staff',
      'Do not delete anything',
      'Your devices',
      'Get help now',
    ])
      expect(t).toContain(phrase);
    expect(html.indexOf('class="now-box"')).toBeLessThan(html.indexOf('id="if-you-feel-you-cannot-go-on"'));
  });

  it('family page: child in danger, children and school, her devices, social worker assessment, money and housing', () => {
    const t = text('/family-and-partners/');
    for (const heading of [
      'If a child is in danger now',
      'Your own phone and computer',
      'What to tell children and their school',
      'Social workers and your family',
      'Money and housing',
    ])
      expect(t).toContain(heading);
    expect(elementById(readBuiltPage('/family-and-partners/'), 'child-in-danger')).toBeDefined();
  });

  it('professionals page: what we are and are not, consent, self-referral, fees', () => {
    const t = text('/for-professionals/');
    for (const phrase of [
      'We are not a risk assessment service',
      'We are not a child protection agency',
      'What we share, and with whose consent',
      'How a man refers himself',
      'We charge fees',
    ])
      expect(t).toContain(phrase);
  });

  it('DBS page: spent rules, England and Wales only', () => {
    const t = text('/journey/dbs-checks-and-work/');
    expect(t).toMatch(/When a caution or conviction becomes .spent./);
    expect(t).toContain('This page is about England and Wales only');
    expect(t).toContain('including when cautions and convictions become spent, are for England and Wales only');
  });

  it('every page that frames the future as "never happens again" also speaks to a man who disputes it', () => {
    for (const path of builtPages()) {
      const t = text(path);
      if (/never happens again/.test(t)) expect(t, path).toMatch(/dispute/);
    }
  });
});
