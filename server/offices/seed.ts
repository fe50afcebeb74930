import { eq } from 'drizzle-orm';
import { alertRecipients } from '../../db/schema/alerts.ts';
import { offices } from '../../db/schema/offices.ts';
import { officeClosures, officeHours } from '../../db/schema/scheduling.ts';
import type { PortalDb } from '../../db/client.ts';
import { loadOfficesConfig, RECIPIENT_LISTS, type OfficesConfig } from './config.ts';

export interface SeedResult {
  /** Offices whose row did not exist yet. */
  officesCreated: string[];
  /** Offices whose hours, closures and recipients were written from the config (first start only). */
  officesSeeded: string[];
}

/**
 * Puts the config file's offices into the database on first start, and never again for an office already
 * set up, so admins' edits stick. An office counts as set up once it has a row in office_hours.
 * Office rows are insert-if-missing, so this and any other seeding of the same offices (the referral
 * service's) can run in either order.
 */
export function seedOfficesFromConfig(db: PortalDb, config: OfficesConfig, now: Date): SeedResult {
  const result: SeedResult = { officesCreated: [], officesSeeded: [] };
  db.transaction((tx) => {
    for (const office of config.offices) {
      const created = tx
        .insert(offices)
        .values({ id: office.id, name: office.name, nation: office.nation, createdAt: now })
        .onConflictDoNothing({ target: offices.id })
        .run();
      if (created.changes > 0) result.officesCreated.push(office.id);

      if (tx.select({ id: officeHours.officeId }).from(officeHours).where(eq(officeHours.officeId, office.id)).get()) {
        continue;
      }
      const hours = [...office.hours].sort((a, b) => a.weekday - b.weekday);
      tx.insert(officeHours)
        .values({ officeId: office.id, weeklyHoursJson: JSON.stringify(hours), updatedAt: now })
        .run();
      for (const closure of office.closures) {
        tx.insert(officeClosures)
          .values({ officeId: office.id, date: closure.date, reason: closure.reason, createdAt: now })
          .onConflictDoNothing()
          .run();
      }
      for (const list of RECIPIENT_LISTS) {
        for (const email of new Set(office.recipients[list].map((address) => address.trim().toLowerCase()))) {
          tx.insert(alertRecipients)
            .values({ officeId: office.id, list, email, createdAt: now })
            .onConflictDoNothing()
            .run();
        }
      }
      result.officesSeeded.push(office.id);
    }
  });
  return result;
}

/** What start-up calls: the config file next to this module, or another one (tests). */
export function seedOffices(db: PortalDb, now: Date, configPath?: string): SeedResult {
  return seedOfficesFromConfig(db, loadOfficesConfig(configPath), now);
}
