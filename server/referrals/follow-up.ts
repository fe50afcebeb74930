import { asc, eq, isNotNull } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { referrals, type ReferralRow } from '../../db/schema/referrals.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import type { Keyring } from '../security/field-encryption.ts';
import type { CalendarConfig } from '../scheduling/calendar.ts';
import { acknowledgementEmail } from './acknowledgement.ts';
import { writeNameParts } from './name-index.ts';
import { answersShowRisk, type ReferralAnswers } from './questions.ts';
import { decryptAnswers, decryptTriage, type PortalTransaction } from './store.ts';
import type { OnReferralStored, StoredReferral } from './service.ts';
import { createGiveWay, GIVE_WAY_POLL_MS } from '../http/turns.ts';

/**
 * A referral's follow-up: everything that is written after the referral row itself and can wait a moment
 * without anyone losing anything. His name words for search, his acknowledgement email, and `onReferralStored`
 * (contact hashes, the first-contact slot, the staff alerts).
 *
 * When nothing else is arriving it runs in the referral's own transaction (he is answered after both are on
 * disk, as before). During a burst the referral is stored with `follow_up_due_at` set, he is answered at once,
 * and the follow-up processor below does it moments later, clearing the mark in the same transaction; after a
 * crash it is done at the next start. So the row on disk always carries its follow-up, done or due: no referral
 * is ever without its alerts, they can only be a few seconds late during a flood.
 */
export interface FollowUpDeps {
  db: PortalDb;
  keyring: Keyring;
  calendarFor: (officeId: string) => CalendarConfig;
  onReferralStored?: OnReferralStored;
  /**
   * How a batch's transaction commits: as it is (synchronous = FULL, an fsync on the event loop) unless given one.
   * The referral service gives its deferred durability's `commitWithoutSync` (db/durability.ts): nobody waits for
   * a follow-up, a power cut that takes its commit away leaves the referral due (so it is done again at the next
   * start), and the staff alerts it queues are sent only after the mail worker's own commit, which syncs the log.
   */
  commitWithoutSync?: <T>(commit: () => T) => T;
}

/** True when his acknowledgement goes: he gave an email address and said it is safe to use. */
export function acknowledgementWanted(answers: Partial<ReferralAnswers>): boolean {
  return !!answers.email && answers.emailSafe === 'yes';
}

/** Runs one referral's follow-up in `tx`. Returns whether his acknowledgement was queued. */
export function followUpReferral(
  tx: PortalTransaction,
  deps: Pick<FollowUpDeps, 'keyring' | 'onReferralStored'>,
  referral: StoredReferral,
  now: Date,
): boolean {
  const { answers } = referral;
  writeNameParts(tx, deps.keyring, referral.id, answers.name);
  let acknowledgementQueued = false;
  if (acknowledgementWanted(answers)) {
    acknowledgementQueued =
      enqueueEmail(
        tx,
        deps.keyring,
        acknowledgementEmail(
          answers.email!,
          referral.reference,
          referral.contactBy,
          referral.id,
          referral.deadline.notes.some((note) => note.id === 'safe_times_outside_office_hours'),
        ),
        now,
      ) !== null;
  }
  deps.onReferralStored?.(tx, referral, now);
  return acknowledgementQueued;
}

/** The referral as it was stored, read back from its row (his answers and triage decrypted) for a later follow-up. */
export function storedReferralFromRow(
  deps: Pick<FollowUpDeps, 'keyring' | 'calendarFor'>,
  row: ReferralRow,
): StoredReferral {
  // Stored answers passed validation when they arrived; read back, every answer is optional by type only.
  const answers = decryptAnswers(deps.keyring, row.id, row.answersEnc) as ReferralAnswers;
  const triage = decryptTriage(deps.keyring, row.id, row.triageEnc);
  return {
    id: row.id,
    reference: row.reference,
    receivedAt: row.receivedAt,
    officeId: row.officeId,
    officePreference: row.officePreference,
    nation: row.nation,
    stage: row.stage as StoredReferral['stage'],
    source: row.source as StoredReferral['source'],
    meetPreference: row.meetPreference,
    priority: row.priority,
    contactBy: row.contactBy,
    triage: triage.result,
    deadline: {
      contactBy: new Date(triage.deadline.contactBy),
      cappedByTriggerDate: triage.deadline.cappedByTriggerDate,
      notes: triage.deadline.notes,
    },
    calendar: deps.calendarFor(row.officeId),
    showsRisk: answersShowRisk(answers),
    answers,
  };
}

export interface FollowUpRun {
  done: number;
  /** Follow-ups that failed (left due, tried again later). Their ids only: never anything he wrote. */
  failed: string[];
  /** More are due than this run took. */
  more: boolean;
}

/**
 * Does up to `limit` due follow-ups, oldest first, in one transaction (one commit): each in its own savepoint,
 * so one that fails stays due (and is tried again) without undoing the others.
 */
export function runDueFollowUps(
  deps: FollowUpDeps,
  now: Date,
  limit: number,
  /** Checked after each follow-up: true ends the run early (the processor's time budget per turn). */
  enough: () => boolean = () => false,
): FollowUpRun {
  const failed: string[] = [];
  let done = 0;
  const commit = deps.commitWithoutSync ?? ((transaction) => transaction());
  const due = commit(() =>
    deps.db.transaction(
      (tx) => {
        const rows = tx
          .select()
          .from(referrals)
          .where(isNotNull(referrals.followUpDueAt))
          .orderBy(asc(referrals.followUpDueAt), asc(referrals.receivedAt))
          .limit(limit + 1)
          .all();
        let taken = 0;
        for (const row of rows.slice(0, limit)) {
          taken++;
          try {
            tx.transaction((savepoint) => {
              followUpReferral(savepoint, deps, storedReferralFromRow(deps, row), now);
              savepoint.update(referrals).set({ followUpDueAt: null }).where(eq(referrals.id, row.id)).run();
            });
            done++;
          } catch {
            failed.push(row.id);
            if (!deps.db.$client.inTransaction) throw new Error('The follow-up transaction ended early.');
          }
          if (enough()) break;
        }
        return { seen: rows.length, taken };
      },
      { behavior: 'immediate' },
    ),
  );
  return { done, failed, more: due.seen > due.taken };
}

export interface FollowUpLog {
  error(obj: object, msg?: string): void;
}

export interface FollowUpProcessor {
  /** Follow-ups were deferred: do them once the burst allows. */
  notify(): void;
  /** Does what an earlier run (or a crash) left due, then keeps up with `notify`. Failures are logged to `log` (ids only). */
  start(log?: FollowUpLog): void;
  /** Stops after the batch in progress; whatever is still due is done at the next start. */
  stop(): Promise<void>;
  /** Does every due follow-up now, in batches (tests, and `start`). */
  drain(now?: Date): Promise<number>;
}

/** At most this many follow-ups in one transaction. */
export const FOLLOW_UP_BATCH = 20;
/**
 * And at most this long of work in one turn of the event loop (a slot search in a fully booked week can take a
 * few milliseconds): a crisis page asked for meanwhile waits for one such turn at most.
 */
export const FOLLOW_UP_TURN_MS = 5;
/** While referrals keep arriving, follow-ups still get one batch at least this often, so a long flood delays them by seconds, never for good. */
export const FOLLOW_UP_MAX_WAIT_MS = 1_000;
/** When a follow-up fails (say the disk is full), it is tried again after this. */
export const FOLLOW_UP_RETRY_MS = 30_000;

/**
 * Runs deferred follow-ups in the background: in the request turn queue (so public pages still get in between),
 * giving way to referral submissions while they arrive, except for one batch every `FOLLOW_UP_MAX_WAIT_MS`.
 */
export function createFollowUpProcessor(
  deps: FollowUpDeps & {
    turn: () => Promise<void>;
    /** True while referral submissions are arriving. */
    busy: () => boolean;
    now: () => Date;
  },
): FollowUpProcessor {
  let running = false;
  let log: FollowUpLog | undefined;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const batch = async (now?: Date): Promise<FollowUpRun> => {
    await deps.turn();
    // A scheduling clock, not the service's: it only bounds how long this turn holds the event loop.
    const stopAt = performance.now() + FOLLOW_UP_TURN_MS;
    const run = runDueFollowUps(deps, now ?? deps.now(), FOLLOW_UP_BATCH, () => performance.now() >= stopAt);
    if (run.failed.length > 0) log?.error({ referralIds: run.failed }, 'referral follow-up failed; will retry');
    return run;
  };

  const schedule = (delayMs: number) => {
    if (!running || timer) return;
    timer = setTimeout(tick, delayMs);
    timer.unref?.();
  };

  // Give way to a flood of submissions, but never for longer than the limit.
  const giveWay = createGiveWay(deps.busy, FOLLOW_UP_MAX_WAIT_MS);

  function tick(): void {
    timer = null;
    if (giveWay.mustWait()) {
      schedule(GIVE_WAY_POLL_MS);
      return;
    }
    const run = chain.then(() => batch());
    chain = run.catch(() => undefined);
    void run.then(
      (result) => {
        if (result.failed.length > 0 && result.done === 0) schedule(FOLLOW_UP_RETRY_MS);
        else if (result.more) schedule(0);
      },
      (error: unknown) => {
        log?.error({ error: error instanceof Error ? error.name : 'unknown' }, 'referral follow-ups could not run');
        schedule(FOLLOW_UP_RETRY_MS);
      },
    );
  }

  return {
    notify: () => schedule(0),
    start(logTo) {
      if (running) return;
      running = true;
      log = logTo;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
    },
    async drain(now) {
      let total = 0;
      for (;;) {
        const run = chain.then(() => batch(now));
        chain = run.catch(() => undefined);
        const result = await run;
        total += result.done;
        if (!result.more || result.done === 0) return total;
      }
    },
  };
}
