import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import { parseDataKeys } from '../../../server/security/field-encryption.ts';
import { loadReferralAnswers, ReferralDataTamperedError } from '../../../server/referrals/store.ts';
import { submitReferral } from '../../../server/referrals/service.ts';
import { TUESDAY_MORNING, validAnswers } from '../../unit/referrals/fixtures.ts';
import { serviceHarness, type ServiceHarness } from './db.ts';

let h: ServiceHarness;
afterEach(() => h?.cleanup());

function store(name: string): string {
  const shown = new Date(TUESDAY_MORNING);
  const outcome = submitReferral(
    h.deps,
    { answers: validAnswers({ name }), formToken: h.formTokens.issue(shown), honeypot: '' },
    new Date(shown.getTime() + 60_000),
  );
  if (outcome.kind !== 'created') throw new Error(outcome.kind);
  return outcome.receipt.referralId;
}

function tamperError(fn: () => unknown): ReferralDataTamperedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ReferralDataTamperedError) return error;
    throw error;
  }
  throw new Error('expected ReferralDataTamperedError');
}

describe('loading a referral for staff', () => {
  it('returns null for an unknown id', async () => {
    h = await serviceHarness();
    expect(loadReferralAnswers(h.database.db, h.keyring, 'no-such-id')).toBeNull();
  });

  it('detects a changed ciphertext and never returns it as valid', async () => {
    h = await serviceHarness();
    const id = store('Ada Tamper');
    const row = h.database.db.select().from(referrals).where(eq(referrals.id, id)).get()!;
    const parts = row.answersEnc.split('.');
    const ciphertext = Buffer.from(parts[4]!, 'base64url');
    ciphertext[0] = ciphertext[0]! ^ 0x01;
    parts[4] = ciphertext.toString('base64url');
    h.database.db
      .update(referrals)
      .set({ answersEnc: parts.join('.') })
      .where(eq(referrals.id, id))
      .run();

    const error = tamperError(() => loadReferralAnswers(h.database.db, h.keyring, id));
    expect(error).toMatchObject({ referralId: id, field: 'answers', reason: 'authentication-failed' });
    expect(error.message).not.toContain('Ada');
  });

  it('detects answers moved from another referral', async () => {
    h = await serviceHarness();
    const first = store('First Person');
    const second = store('Second Person');
    const firstRow = h.database.db.select().from(referrals).where(eq(referrals.id, first)).get()!;
    h.database.db.update(referrals).set({ triageEnc: firstRow.triageEnc }).where(eq(referrals.id, second)).run();
    expect(tamperError(() => loadReferralAnswers(h.database.db, h.keyring, second))).toMatchObject({ field: 'triage' });
    expect(loadReferralAnswers(h.database.db, h.keyring, first)?.answers.name).toBe('First Person');
  });

  it('reports a value under a key that is no longer configured', async () => {
    h = await serviceHarness();
    const id = store('Old Key');
    const otherKeyring = parseDataKeys(`k9:${Buffer.alloc(32, 7).toString('base64')}`);
    expect(tamperError(() => loadReferralAnswers(h.database.db, otherKeyring, id)).reason).toBe('unknown-key');
  });
});
