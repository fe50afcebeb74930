import { randomUUID } from 'node:crypto';
import { referrals } from '../../db/schema/referrals.ts';
import type { PortalDb } from '../../db/client.ts';
import { confidentialityStatement } from '../../site/facts/confidentiality.ts';
import { nameSearchHash, type Keyring } from '../security/field-encryption.ts';
import { writeNameParts } from '../referrals/name-index.ts';
import { newReferralReference } from '../security/tokens.ts';
import { defaultCalendarConfig } from '../scheduling/calendar.ts';
import { contactBy as computeContactBy } from '../scheduling/deadline.ts';
import { triage } from '../triage/triage.ts';
import type { Priority } from '../triage/types.ts';
import { encryptAnswers, encryptTriage, routingColumns } from '../referrals/store.ts';
import type { ReferralAnswers } from '../referrals/questions.ts';
import { triageInputFromAnswers } from '../referrals/triage-input.ts';
import type { DbWriter } from './db.ts';

/**
 * Made-up referrals for tests and the inbox benchmark, stored exactly as the referral service stores them
 * (answers and triage encrypted, name search hash). Never used by the running service.
 */

export function sampleAnswers(overrides: Partial<Record<keyof ReferralAnswers, unknown>> = {}): ReferralAnswers {
  return {
    confidentialityAgreedVersion: confidentialityStatement.version,
    over18: 'yes',
    name: 'Barnaby Quillfeather',
    nation: 'england',
    area: 'Headingley',
    office: 'leeds',
    phone: '0113 496 0555',
    phoneSafe: 'yes',
    voicemail: 'no',
    textMessages: 'yes',
    withheldNumber: 'yes',
    sayWhoWeAre: 'no',
    safeTimes: ['morning', 'evening'],
    email: 'barnaby@example.org',
    emailSafe: 'yes',
    gpWelfareCheck: 'yes',
    stage: 'released_under_investigation',
    policeContactDate: '2026-01-14',
    solicitor: 'yes',
    childrenInHousehold: 'no',
    childrenInRegularContact: 'no',
    socialCareInvolved: 'no',
    bailAffectsChildren: 'not_on_bail',
    thoughtsOfEndingLife: 'no',
    gpPractice: 'Headingley Surgery',
    anythingElse: 'Evenings are easier.',
    heardFrom: 'solicitor',
    meetPreference: 'asap',
    ...overrides,
  } as unknown as ReferralAnswers;
}

export interface SampleReferralOptions {
  answers?: Partial<Record<keyof ReferralAnswers, unknown>>;
  receivedAt: Date;
  officeId?: string;
  status?: string;
  /** Forces the priority (triage decides otherwise). */
  priority?: Priority;
  contactBy?: Date;
  reference?: string;
}

export function insertSampleReferral(
  db: DbWriter,
  keyring: Keyring,
  options: SampleReferralOptions,
): { id: string; reference: string } {
  const answers = sampleAnswers(options.answers);
  const id = randomUUID();
  const reference = options.reference ?? newReferralReference();
  const result = triage(triageInputFromAnswers(answers), options.receivedAt);
  const priority = options.priority ?? result.priority;
  const deadline = computeContactBy(
    priority,
    options.receivedAt,
    defaultCalendarConfig('england-and-wales'),
    result.mustContactBeforeDate,
  );
  const contactBy = options.contactBy ?? deadline.contactBy;
  db.insert(referrals)
    .values({
      id,
      reference,
      status: options.status ?? 'new',
      priority,
      contactBy,
      ruleVersion: result.ruleVersion,
      receivedAt: options.receivedAt,
      officeId: options.officeId ?? (answers.office === 'remote' ? 'leeds' : answers.office),
      ...routingColumns(answers),
      confidentialityVersion: answers.confidentialityAgreedVersion,
      answersEnc: encryptAnswers(keyring, id, answers),
      triageEnc: encryptTriage(keyring, id, {
        result: { ...result, priority },
        deadline: {
          contactBy: contactBy.toISOString(),
          cappedByTriggerDate: deadline.cappedByTriggerDate,
          notes: deadline.notes,
        },
      }),
      nameSearchHash: nameSearchHash(keyring, answers.name),
      idempotencyKey: randomUUID(),
    })
    .run();
  writeNameParts(db, keyring, id, answers.name);
  return { id, reference };
}

/** Convenience for tests that use the app's own database. */
export function insertSampleReferrals(
  db: PortalDb,
  keyring: Keyring,
  list: SampleReferralOptions[],
): Array<{ id: string; reference: string }> {
  return db.transaction((tx) => list.map((options) => insertSampleReferral(tx, keyring, options)));
}
