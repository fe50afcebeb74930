import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { PortalDb } from '../../../db/client.ts';
import { appointments } from '../../../db/schema/casework.ts';
import { outboxMessages } from '../../../db/schema/outbox.ts';

/** A remote appointment booked by (and with) one caseworker, written straight to the table. Returns its id. */
export function insertAppointment(
  db: PortalDb,
  appointment: { referralId: string; staffId: string; startsAt: Date; createdAt: Date },
): string {
  const id = randomUUID();
  db.insert(appointments)
    .values({
      id,
      referralId: appointment.referralId,
      bookedBy: appointment.staffId,
      staffId: appointment.staffId,
      startsAt: appointment.startsAt,
      mode: 'remote',
      createdAt: appointment.createdAt,
    })
    .run();
  return id;
}

/** The reminder emails queued to him for one appointment. */
export function appointmentReminderEmails(db: PortalDb, appointmentId: string) {
  return db
    .select()
    .from(outboxMessages)
    .where(eq(outboxMessages.kind, 'appointment_reminder'))
    .all()
    .filter((m) => m.dedupeKey?.startsWith(`appointment-reminder:${appointmentId}:`));
}
