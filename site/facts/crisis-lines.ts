/**
 * The ONE definition of crisis lines and helplines for the whole site.
 * Numbers, hours and confidentiality wording come from the domain brief (section 4 and its Corrections of
 * 2 December 2026), checked against each service's own site, which is the `sourceUrl`.
 * Where hours are not verified we say so rather than guess (Breathing Space: "evenings and weekends").
 * `mentionedAs` lists the names a page may use for the line: any page that uses one must show the number
 * (tests/integration/site/helplines.test.ts). Update crisisLinesReviewed whenever this list is checked.
 */
export type CrisisNation = 'england-and-wales' | 'scotland' | 'northern-ireland' | 'uk';

export interface CrisisLine {
  id:
    | 'emergency'
    | 'nhs-111'
    | 'samaritans'
    | 'shout'
    | 'calm'
    | 'stop-it-now'
    | 'breathing-space'
    | 'nhs-24'
    | 'lifeline';
  name: string;
  action: 'call' | 'text';
  number: string;
  tel: string | null;
  hours: string;
  /** A few words for the crisis panel when the line is not open all the time. */
  shortHours?: string;
  description: string;
  nations: Array<CrisisNation>;
  urgent: boolean;
  sourceUrl: string;
  /** What the service says it keeps confidential, in its own current words (paraphrased plainly). */
  confidentiality?: string;
  /** Names a page may use for this line (matched case-sensitively, as whole words). */
  mentionedAs: readonly string[];
}

export const crisisLines: readonly CrisisLine[] = [
  {
    id: 'emergency',
    name: 'Emergency services',
    action: 'call',
    number: '999',
    tel: 'tel:999',
    hours: 'Any time, in an emergency',
    description: 'Call 999 or go to A&E if your life is in danger now, or if you have hurt yourself.',
    nations: ['uk'],
    urgent: true,
    sourceUrl: 'https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/',
    mentionedAs: [],
  },
  {
    id: 'nhs-111',
    name: 'NHS 111 (mental health option)',
    action: 'call',
    number: '111',
    tel: 'tel:111',
    hours: '24 hours, every day',
    description:
      'In England and Wales, call 111 and choose the mental health option. You will speak to trained mental health staff. They can arrange for a crisis team to see you. In Scotland, 111 is NHS 24. In Northern Ireland, call Lifeline.',
    nations: ['england-and-wales'],
    urgent: true,
    sourceUrl: 'https://www.nhs.uk/nhs-services/mental-health-services/where-to-get-urgent-help-for-mental-health/',
    mentionedAs: ['NHS 111'],
  },
  {
    id: 'samaritans',
    name: 'Samaritans',
    action: 'call',
    number: '116 123',
    tel: 'tel:116123',
    hours: '24 hours, every day',
    description:
      'Talk to someone about how you are feeling. Free from any phone, even a mobile with no credit, and it does not show on your bill. You can also email jo@samaritans.org.',
    nations: ['uk'],
    urgent: true,
    sourceUrl: 'https://www.samaritans.org/how-we-can-help/contact-samaritan/',
    confidentiality:
      'Samaritans says that most of the time what you tell them stays between you and Samaritans. They may tell someone else only if they believe you cannot make decisions for yourself, for example if you lose consciousness during the call, or do not understand the risks. This always applies to children under 13.',
    mentionedAs: ['Samaritans'],
  },
  {
    id: 'shout',
    name: 'Shout',
    action: 'text',
    number: '85258',
    tel: 'sms:85258',
    hours: '24 hours, every day',
    description:
      'Send a text to 85258 if you would rather not talk. Free and confidential. A trained volunteer usually replies within about 5 minutes. The volunteers are not doctors or nurses.',
    nations: ['uk'],
    urgent: true,
    sourceUrl: 'https://www.crisistextline.uk/how-it-works/',
    mentionedAs: ['Shout'],
  },
  {
    id: 'nhs-24',
    name: 'NHS 24 (Scotland)',
    action: 'call',
    number: '111',
    tel: 'tel:111',
    hours: '24 hours, every day',
    description: 'In Scotland, call 111 for NHS 24 if you need urgent help with your mental health.',
    nations: ['scotland'],
    urgent: false,
    sourceUrl: 'https://www.nhs24.scot/',
    mentionedAs: ['NHS 24'],
  },
  {
    id: 'breathing-space',
    name: 'Breathing Space (Scotland)',
    action: 'call',
    number: '0800 83 85 87',
    tel: 'tel:0800838587',
    hours: 'Evenings and weekends only, not 24 hours. Check the Breathing Space website for the exact times',
    shortHours: 'evenings and weekends',
    description:
      'A free, confidential phone line in Scotland, run by NHS 24. It is there especially for men. At other times, call NHS 24 on 111 or Samaritans.',
    nations: ['scotland'],
    urgent: false,
    sourceUrl: 'https://breathingspace.scot/',
    mentionedAs: ['Breathing Space'],
  },
  {
    id: 'lifeline',
    name: 'Lifeline (Northern Ireland)',
    action: 'call',
    number: '0808 808 8000',
    tel: 'tel:08088088000',
    hours: '24 hours, every day',
    description: 'A free crisis line in Northern Ireland. You will talk to a trained counsellor.',
    nations: ['northern-ireland'],
    urgent: false,
    sourceUrl: 'https://www.lifelinehelpline.info/page/about.html',
    mentionedAs: ['Lifeline'],
  },
  {
    id: 'calm',
    name: 'CALM (Campaign Against Living Miserably)',
    action: 'call',
    number: '0800 58 58 58',
    tel: 'tel:0800585858',
    hours: '5pm to midnight, every day',
    description: 'A free helpline, with webchat too. Your phone number is not shown to them.',
    nations: ['uk'],
    urgent: false,
    sourceUrl: 'https://www.thecalmzone.net/helpline-terms/',
    mentionedAs: ['CALM', 'Campaign Against Living Miserably'],
  },
  {
    id: 'stop-it-now',
    name: 'Stop It Now',
    action: 'call',
    number: '0808 1000 900',
    tel: 'tel:08081000900',
    hours: 'Check current opening hours on the Stop It Now website',
    description:
      'Advice if you are worried about your own thoughts or behaviour, or about someone close to you. Family members can call too.',
    nations: ['uk'],
    urgent: false,
    sourceUrl: 'https://www.stopitnow.org.uk/helpline/',
    confidentiality:
      'You do not have to give your name or any details that identify you. If you do, and what you say identifies a child who has been abused or is at risk, or suggests that anyone else is at risk of harm, Stop It Now passes it on. It also passes on details of any criminal offence committed. So if you give your name and describe your own offending, it may be reported.',
    mentionedAs: ['Stop It Now'],
  },
];

/** The "do this right now" set: 999, NHS 111 mental health option, Samaritans, Shout. */
export const urgentCrisisLines: readonly CrisisLine[] = crisisLines.filter((line) => line.urgent);

/** Lines for one nation only (shown beside the urgent set, by nation). */
export function linesForNation(nation: Exclude<CrisisNation, 'uk'>): readonly CrisisLine[] {
  return crisisLines.filter((line) => line.nations.length === 1 && line.nations[0] === nation);
}

export const crisisLinesReviewed = '2026-12-02';
