import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { referrals } from '../../../db/schema/referrals.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';
import { alertRecipients } from '../../../db/schema/alerts.ts';
import { decryptField } from '../../../server/security/field-encryption.ts';
import { bodyAad } from '../../../server/mail/outbox.ts';
import { sampleAnswers } from '../../../server/backoffice/sample-referrals.ts';
import { postForm, referralApp, showForm, type ReferralApp } from './http.ts';

/**
 * A man safe to call only 5 to 8pm (the office shuts at 5pm): the deadline stays (it is his right), but nobody
 * is promised a call we cannot make, and the managers' capacity email says exactly why instead of blaming
 * caseworkers (issue 9).
 */
describe('deadlines and promises that fit his safe times', () => {
  let t: ReferralApp;
  beforeAll(async () => {
    t = await referralApp();
    t.database.db
      .insert(alertRecipients)
      .values({ officeId: 'leeds', list: 'managers', email: 'managers@saferlives.org.uk', createdAt: t.clock.now() })
      .onConflictDoNothing()
      .run();
  });
  afterAll(async () => t.cleanup());

  it('says why on the record, in the capacity email and on his confirmation', async () => {
    const token = await showForm(t);
    const answers = sampleAnswers({
      safeTimes: ['evening'],
      email: undefined,
      emailSafe: undefined,
      thoughtsOfEndingLife: 'no',
    }) as unknown as Record<string, unknown>;
    const res = await postForm(t, { ...answers, formToken: token });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('The times you told us are safe to call are outside our office hours');
    expect(res.body).not.toContain('in the way you told us is safe.');
    const row = t.database.db.select().from(referrals).all().at(-1)!;
    // The deadline stays within the 7-day promise.
    expect(row.contactBy.getTime()).toBeLessThanOrEqual(row.receivedAt.getTime() + 8 * 86_400_000);
    const capacity = t.database.db
      .select()
      .from(outboxMessages)
      .where(eq(outboxMessages.kind, 'capacity_short'))
      .all()
      .at(-1);
    expect(capacity).toBeDefined();
    const text = decryptField(t.app.services.keyring, capacity!.bodyEnc, bodyAad(capacity!.id));
    expect(text).toContain('his safe times are outside office hours: arrange an evening call or use email');
    expect(text).not.toContain('caseworker is free');
  });
});
