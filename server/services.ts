import type { AppConfig } from './config.ts';
import type { Clock } from './clock.ts';
import type { PortalDb } from '../db/client.ts';
import { sql } from 'drizzle-orm';
import { parseDataKeys } from './security/field-encryption.ts';
import { createReferralService } from './referrals/service.ts';
import { createFormTokens } from './referrals/form-token.ts';
import { createMailServices } from './mail/services.ts';
import { createAlertServices } from './alerts/services.ts';
import { useAuditChainKey } from './audit/audit.ts';
import { recordContactHashes } from './retention/returning.ts';

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
  // Audit entries are chained with a key derived from DATA_KEY (server/audit/audit.ts).
  useAuditChainKey(deps.db.$client, keyring, deps.clock.now());
  const mail = createMailServices({ db: deps.db, clock: deps.clock });
  const alerts = createAlertServices({
    db: deps.db,
    keyring,
    publicBaseUrl: deps.config.publicBaseUrl,
    signal: mail.signal,
  });
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
      now: () => deps.clock.now(),
      // Each office's calendar from the database; the slot and staff alerts are written in the referral's transaction.
      calendarFor: alerts.calendarFor,
      onReferralStored: (tx, referral, now) => {
        // Keyed hashes of his phone and email, so a returning person is recognised (server/retention/returning.ts).
        recordContactHashes(tx, keyring, referral.id, referral.answers);
        alerts.onReferralStored(tx, referral, now);
      },
    }),
    /** The email outbox: failed mail for admins, and the signal that wakes the worker (server/mail). */
    mail,
    /** Office calendars, first-contact slots and triage explanations (server/alerts, server/offices). */
    alerts,
    health: {
      databaseAnswers(): boolean {
        try {
          const row = deps.db.get<{ ok: number }>(sql`SELECT 1 AS ok`);
          return row?.ok === 1;
        } catch {
          return false;
        }
      },
      /** What GET /healthz reports (server/plugins/health.ts). */
      report: () => healthReport(deps, mail),
    },
  };
}

export type Services = ReturnType<typeof createServices>;

export interface HealthReport {
  status: 'ok' | 'degraded' | 'unavailable';
  database: 'ok' | 'unavailable';
  mail: {
    transport: 'smtp' | 'files';
    pending: number;
    /** Seconds since the oldest unsent message was queued; null when nothing is waiting. */
    oldestPendingAgeSeconds: number | null;
    /** Unsent for longer than 15 minutes. */
    overdue: number;
    /** Given up on: an admin must look (listFailedMail) and queue them again. */
    failed: number;
  } | null;
  /**
   * Referrals taken during a burst whose follow-up (slot, staff alerts, his acknowledgement) is still to be done
   * (server/referrals/follow-up.ts). Normally 0, or a backlog that clears within seconds of a flood.
   */
  referralFollowUps: { due: number; oldestDueAgeSeconds: number | null } | null;
}

/** A follow-up still due after this long means the processor is stuck: staff alerts are not going out. */
export const FOLLOW_UP_STUCK_SECONDS = 5 * 60;

function healthReport(deps: ServiceDeps, mail: ReturnType<typeof createMailServices>): HealthReport {
  let database: HealthReport['database'] = 'unavailable';
  try {
    if (deps.db.get<{ ok: number }>(sql`SELECT 1 AS ok`)?.ok === 1) database = 'ok';
  } catch {
    database = 'unavailable';
  }
  if (database === 'unavailable') return { status: 'unavailable', database, mail: null, referralFollowUps: null };
  const outbox = mail.health();
  const now = deps.clock.now().getTime();
  const report: HealthReport['mail'] = {
    transport: deps.config.mailTransport,
    pending: outbox.pending,
    oldestPendingAgeSeconds:
      outbox.oldestPendingSince === null
        ? null
        : Math.max(0, Math.round((now - outbox.oldestPendingSince.getTime()) / 1000)),
    overdue: outbox.overdue,
    failed: outbox.failed,
  };
  const due = deps.db.$client
    .prepare(
      'SELECT COUNT(*) AS due, MIN(follow_up_due_at) AS oldest FROM referrals WHERE follow_up_due_at IS NOT NULL',
    )
    .get() as { due: number; oldest: number | null };
  const referralFollowUps = {
    due: due.due,
    oldestDueAgeSeconds: due.oldest === null ? null : Math.max(0, Math.round((now - due.oldest) / 1000)),
  };
  const stuck = (referralFollowUps.oldestDueAgeSeconds ?? 0) > FOLLOW_UP_STUCK_SECONDS;
  return {
    status: report.failed > 0 || report.overdue > 0 || stuck ? 'degraded' : 'ok',
    database,
    mail: report,
    referralFollowUps,
  };
}
