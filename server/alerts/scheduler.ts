import type { PortalDb } from '../../db/client.ts';
import type { Clock } from '../clock.ts';
import type { OutboxSignal } from '../mail/signal.ts';
import type { WorkerLog } from '../mail/worker.ts';
import type { SqliteDb } from '../offices/db.ts';
import { runDailyDigest, runEscalations, type UncontactedReferral } from './escalations.ts';
import type { AlertDeps } from './new-referral.ts';

export const DEFAULT_SCHEDULER_INTERVAL_MS = 60_000;

/** Reads the referrals nobody has contacted yet. Supplied by whoever owns the referrals table. */
export type UncontactedReferralSource = (db: SqliteDb) => UncontactedReferral[];

export interface AlertSchedulerOptions extends AlertDeps {
  db: PortalDb;
  clock: Clock;
  signal: OutboxSignal;
  uncontactedReferrals: UncontactedReferralSource;
  log?: WorkerLog;
  intervalMs?: number;
  /**
   * Casework due at `now` that no one has to open a record for (missed first-contact slots, reminders). Runs
   * after the escalations, in its own transactions; returns how many things it did and how many emails it queued.
   */
  casework?: (now: Date) => { missedSlots: number; reminders: number };
}

export interface AlertScheduler {
  start(): void;
  stop(): void;
  /** Queues whatever escalations and digests are due at `now`; returns how many messages were queued. */
  runOnce(now?: Date): { escalations: number; digests: number; missedSlots: number; reminders: number };
}

/**
 * Every minute: escalations for uncontacted referrals and the 08:30 digest. Both only queue email (in one
 * transaction) with dedupe keys, so a restart, a slow minute or two processes never send anything twice.
 */
export function createAlertScheduler(options: AlertSchedulerOptions): AlertScheduler {
  const intervalMs = options.intervalMs ?? DEFAULT_SCHEDULER_INTERVAL_MS;
  let timer: NodeJS.Timeout | null = null;

  function runOnce(now = options.clock.now()) {
    const result = options.db.transaction((tx) => {
      const referrals = options.uncontactedReferrals(tx);
      return {
        escalations: runEscalations(tx, options, referrals, now).length,
        digests: runDailyDigest(tx, options, referrals, now).length,
      };
    });
    const casework = options.casework?.(now) ?? { missedSlots: 0, reminders: 0 };
    if (result.escalations + result.digests + casework.reminders > 0) options.signal.notify();
    return { ...result, ...casework };
  }

  function tick() {
    if (!timer) return;
    try {
      runOnce();
    } catch (error) {
      // Keep ticking: the next minute may well succeed (a busy database, say).
      options.log?.error(
        { error: error instanceof Error ? error.message : String(error) },
        'alert scheduler run failed',
      );
    }
  }

  return {
    start() {
      if (timer) return;
      timer = setInterval(tick, intervalMs);
      timer.unref();
      setImmediate(tick);
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
    runOnce,
  };
}
