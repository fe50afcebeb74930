/**
 * The ONE definition of crisis lines for the whole site.
 * Numbers and hours come from the domain brief, section 4 (checked against the sources listed).
 * Where the brief does not give verified hours, we tell people to check, rather than guess.
 * Review date is shown on the site: update crisisLinesReviewed whenever this list is checked.
 */
export type CrisisNation = 'england-and-wales' | 'scotland' | 'northern-ireland' | 'uk';

export interface CrisisLine {
  id: 'emergency' | 'nhs-111' | 'samaritans' | 'shout' | 'calm' | 'stop-it-now' | 'breathing-space' | 'lifeline';
  name: string;
  action: 'call' | 'text';
  number: string;
  tel: string | null;
  hours: string;
  description: string;
  nations: Array<CrisisNation>;
  urgent: boolean;
  sourceUrl: string;
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
    sourceUrl: 'https://www.norwoodmc.co.uk/2024/08/14/nhs-111-option-2-for-crisis-mental-health-support/',
  },
  {
    id: 'nhs-111',
    name: 'NHS 111 (mental health option)',
    action: 'call',
    number: '111',
    tel: 'tel:111',
    hours: '24 hours, every day',
    description:
      'In England, call 111 and choose the mental health option. You will speak to trained mental health staff. They can arrange for a crisis team to see you.',
    nations: ['england-and-wales'],
    urgent: true,
    sourceUrl: 'https://www.tewv.nhs.uk/news/nhs-111-select-mental-health-option/',
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
  },
  {
    id: 'shout',
    name: 'Shout',
    action: 'text',
    number: '85258',
    tel: 'sms:85258',
    hours: '24 hours, every day',
    description:
      'Send a text to 85258 if you would rather not talk. Free and confidential. A trained volunteer usually replies within about 5 minutes.',
    nations: ['uk'],
    urgent: true,
    sourceUrl: 'https://www.crisistextline.uk/how-it-works/',
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
  },
  {
    id: 'stop-it-now',
    name: 'Stop It Now',
    action: 'call',
    number: '0808 1000 900',
    tel: 'tel:08081000900',
    hours: 'Check current opening hours on the Stop It Now website',
    description:
      'Confidential advice if you are worried about your own thoughts or behaviour, or about someone close to you. You do not have to give your name.',
    nations: ['uk'],
    urgent: false,
    sourceUrl: 'https://www.stopitnow.org.uk/helpline/',
  },
  {
    id: 'breathing-space',
    name: 'Breathing Space (Scotland)',
    action: 'call',
    number: '0800 83 85 87',
    tel: 'tel:0800838587',
    hours: 'Check opening hours',
    description: 'A free, confidential phone line in Scotland, run by NHS 24. It is there especially for men.',
    nations: ['scotland'],
    urgent: false,
    sourceUrl: 'https://highland.gov.uk/info/1454/mental_health/1029/mental_health_and_wellbeing_information/15',
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
  },
];

/** The "do this right now" set: 999, NHS 111 mental health option, Samaritans, Shout. */
export const urgentCrisisLines: readonly CrisisLine[] = crisisLines.filter((line) => line.urgent);

export const crisisLinesReviewed = '2026-11-29';
