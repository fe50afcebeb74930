import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PortalDb } from '../../../db/client.ts';
import { referrals } from '../../../db/schema/referrals.ts';
import {
  appointments,
  caseNotes,
  contactAttempts,
  priorityOverrides,
  statusChanges,
} from '../../../db/schema/casework.ts';
import { contactMatchHashes } from '../../../db/schema/lifecycle.ts';
import { eq } from 'drizzle-orm';
import { insertSampleReferral } from '../../../server/backoffice/sample-referrals.ts';
import { casenoteAad } from '../../../server/casework/types.ts';
import { enqueueEmail } from '../../../server/mail/outbox.ts';
import { acknowledgementEmail } from '../../../server/referrals/acknowledgement.ts';
import { encryptField, type Keyring } from '../../../server/security/field-encryption.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';

const DAY = 86_400_000;

/**
 * A referral with a full history (attempts, a note, an appointment, a priority change, his acknowledgement email
 * and its .eml file, a contact hash), closed at `closedAt` for `reason` (null = closed after engaging).
 */
export function closedReferral(
  db: PortalDb,
  keyring: Keyring,
  options: {
    staffId: string;
    receivedAt: Date;
    closedAt: Date;
    reason: string | null;
    engaged?: boolean;
    mailDir?: string;
  },
): { id: string; reference: string; outboxId: string } {
  const { id, reference } = insertSampleReferral(db, keyring, { receivedAt: options.receivedAt, officeId: 'leeds' });
  const at = (days: number) => new Date(options.receivedAt.getTime() + days * DAY);
  db.insert(contactAttempts)
    .values({
      id: randomUUID(),
      referralId: id,
      staffId: options.staffId,
      attemptedAt: at(0.1),
      channel: 'phone',
      outcome: options.reason === 'unable_to_contact' ? 'no_answer' : 'spoke',
      noteEnc: null,
      createdAt: at(0.1),
    })
    .run();
  const noteId = randomUUID();
  db.insert(caseNotes)
    .values({
      id: noteId,
      referralId: id,
      staffId: options.staffId,
      bodyEnc: encryptField(keyring, 'He mentioned his brother Tom Smith.', casenoteAad('case_notes', noteId)),
      createdAt: at(0.2),
    })
    .run();
  db.insert(appointments)
    .values({
      id: randomUUID(),
      referralId: id,
      bookedBy: options.staffId,
      startsAt: at(3),
      mode: 'remote',
      createdAt: at(0.2),
    })
    .run();
  const overrideId = randomUUID();
  db.insert(priorityOverrides)
    .values({
      id: overrideId,
      referralId: id,
      staffId: options.staffId,
      fromPriority: 'within_7_days',
      toPriority: 'today',
      contactByBefore: at(5),
      contactByAfter: at(1),
      reasonEnc: encryptField(keyring, 'worried', casenoteAad('priority_overrides', overrideId)),
      createdAt: at(0.05),
    })
    .run();
  const path = options.engaged ? ['new', 'in_contact', 'engaged', 'closed'] : ['new', 'contact_attempted', 'closed'];
  for (let i = 1; i < path.length; i++) {
    const last = i === path.length - 1;
    db.insert(statusChanges)
      .values({
        id: randomUUID(),
        referralId: id,
        staffId: options.staffId,
        fromStatus: path[i - 1]!,
        toStatus: path[i]!,
        closedReason: last ? (options.reason as 'declined' | null) : null,
        changedAt: last ? options.closedAt : at(i * 0.1),
      })
      .run();
  }
  db.update(referrals).set({ status: 'closed' }).where(eq(referrals.id, id)).run();
  db.insert(contactMatchHashes).values({ referralId: id, kind: 'email', hash: randomUUID(), keyId: 'k1' }).run();
  const outboxId = enqueueEmail(
    db,
    keyring,
    acknowledgementEmail('him@example.test', reference, at(1), id),
    options.receivedAt,
  )!;
  db.update(outboxMessages)
    .set({ status: 'sent', sentAt: options.receivedAt })
    .where(eq(outboxMessages.id, outboxId))
    .run();
  if (options.mailDir) {
    mkdirSync(options.mailDir, { recursive: true });
    writeFileSync(join(options.mailDir, `2026-01-01T00-00-00-000Z-${outboxId}.eml`), 'To: him@example.test\n\nhello');
  }
  return { id, reference, outboxId };
}
