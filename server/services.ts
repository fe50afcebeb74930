import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import type { PortalDb } from '../db/client.ts';
import { sql } from 'drizzle-orm';
import { parseDataKeys } from './security/field-encryption.ts';
import { createReferralService } from './referrals/service.ts';
import { createFormTokens } from './referrals/form-token.ts';
import { defaultCalendarFor } from './referrals/offices.ts';

export interface ServiceDeps {
  config: AppConfig;
  db: PortalDb;
  clock: Clock;
}

/**
 * The composition root: every domain service is built here from its dependencies, and the same
 * object reaches Fastify routes and Astro pages (through locals), so both share one connection.
 */
export function createServices(deps: ServiceDeps) {
  const keyring = parseDataKeys(deps.config.dataKey);
  return {
    clock: deps.clock,
    db: deps.db,
    keyring,
    config: deps.config,
    publicBaseUrl: deps.config.publicBaseUrl,
    /** Self-referrals: the one submit path for the form and the JSON API (server/referrals/service.ts). */
    referrals: createReferralService({
      db: deps.db,
      keyring,
      formTokens: createFormTokens(deps.config.sessionSecret),
      // Replaced by office calendars from the database when the alerts work lands.
      calendarFor: defaultCalendarFor,
    }),
    health: {
      databaseAnswers(): boolean {
        try {
          const row = deps.db.get<{ ok: number }>(sql`SELECT 1 AS ok`);
          return row?.ok === 1;
        } catch {
          return false;
        }
      },
    },
  };
}

export type Services = ReturnType<typeof createServices>;
