import { confidentialityStatement } from '../../../site/facts/confidentiality.ts';

/** Tuesday 1 December 2026, 10:00 in London (GMT): a working day. */
export const TUESDAY_MORNING = '2026-12-01T10:00:00.000Z';
export const TODAY = '2026-12-01';

/**
 * A complete, valid referral in the JSON API's shape, with distinctive values so tests can look for them
 * (in the database file, in logs). 0113 496 0xxx is an Ofcom range reserved for drama: never a real line.
 */
export function validAnswers(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    confidentialityAgreedVersion: confidentialityStatement.version,
    over18: 'yes',
    name: 'Quentin Marchbanks',
    nation: 'england',
    area: 'Otley LS21',
    office: 'leeds',
    phone: '0113 496 0321',
    phoneSafe: 'yes',
    voicemail: 'no',
    textMessages: 'yes',
    withheldNumber: 'yes',
    sayWhoWeAre: 'no',
    safeTimes: ['morning', 'evening'],
    email: 'quentin.marchbanks@example.org',
    emailSafe: 'yes',
    gpWelfareCheck: 'yes',
    stage: 'released_under_investigation',
    policeContactDate: '2026-09-14',
    solicitor: 'yes',
    childrenInHousehold: 'no',
    childrenInRegularContact: 'yes',
    socialCareInvolved: 'not_sure',
    localAuthority: 'Bradford Council',
    bailAffectsChildren: 'not_on_bail',
    thoughtsOfEndingLife: 'no',
    gpPractice: 'Wharfedale Lane Surgery',
    anythingElse: 'Evenings are easier. Zephyrine lighthouse.',
    heardFrom: 'solicitor',
    meetPreference: 'asap',
    ...overrides,
  };
}

/** The answers as an HTML form would post them (repeated names for tick boxes). */
export function toFormBody(fields: Record<string, unknown>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(name, String(item));
    else params.append(name, String(value));
  }
  return params.toString();
}
