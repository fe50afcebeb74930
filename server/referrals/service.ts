import { createTurnQueue } from '../http/turns.ts';
import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import type { PortalDb } from '../../db/client.ts';
import { datasyncFile, deferredDurability, type DeferredDurability, type SyncFile } from '../../db/durability.ts';
import { statement } from '../../db/statements.ts';
import type { DbWriter } from '../../db/writer.ts';
import { outboxMessages } from '../../db/schema/outbox.ts';
import { referrals } from '../../db/schema/referrals.ts';
import { nameSearchHash, type Keyring } from '../security/field-encryption.ts';
import { newReferralReference } from '../security/tokens.ts';
import { londonDate, type CalendarConfig } from '../scheduling/calendar.ts';
import type { ContactDeadline } from '../scheduling/deadline.ts';
import type { Priority, TriageResult } from '../triage/types.ts';
import { acknowledgementDedupeKey } from './acknowledgement.ts';
import {
  acknowledgementWanted,
  createFollowUpProcessor,
  followUpReferral,
  type FollowUpProcessor,
} from './follow-up.ts';
import type { FormTokens } from './form-token.ts';
import { assessReferral } from './assessment.ts';
import { defaultCalendarFor } from './offices.ts';
import { answersShowRisk, validateReferralAnswers, type FieldError, type ReferralAnswers } from './questions.ts';
import { decryptAnswers, encryptAnswers, encryptTriage, routingColumns, type PortalTransaction } from './store.ts';

/** No person reads the confidentiality statement and answers 20 questions faster than this. */
export const MINIMUM_FILL_MS = 5_000;

/** A referral as it has just been written, handed to `onReferralStored` inside the same transaction. */
export interface StoredReferral {
  id: string;
  reference: string;
  receivedAt: Date;
  /** The office that owns it (his choice, or the default office for remote support). */
  officeId: string;
  officePreference: ReferralAnswers['office'];
  nation: ReferralAnswers['nation'];
  stage: ReferralAnswers['stage'];
  source: ReferralAnswers['heardFrom'] | null;
  meetPreference: ReferralAnswers['meetPreference'];
  priority: Priority;
  contactBy: Date;
  triage: TriageResult;
  deadline: ContactDeadline;
  /** The office calendar the deadline was computed with. */
  calendar: CalendarConfig;
  /** True when an answer means crisis help was shown first (thoughts often, a plan, not able to keep safe). */
  showsRisk: boolean;
  /**
   * His answers, in clear, for scheduling (safe times, which channels are safe). Personal data: never put
   * any of it in an email to staff, a log line or a URL.
   */
  answers: ReferralAnswers;
}

/**
 * Runs inside the referral's transaction, after the referral and his acknowledgement are written: queue
 * staff alerts, propose a first-contact slot. Synchronous (better-sqlite3 transactions cannot await) and
 * without I/O. If it throws, the whole referral rolls back and he is told to try again (503): a referral is
 * never saved without its alerts.
 */
export type OnReferralStored = (tx: PortalTransaction, referral: StoredReferral, now: Date) => void;

export interface ReferralServiceDeps {
  db: PortalDb;
  keyring: Keyring;
  formTokens: FormTokens;
  /** The working calendar an office's deadlines are computed in. */
  calendarFor?: (officeId: string) => CalendarConfig;
  onReferralStored?: OnReferralStored;
  /** Submissions faster than this after the form was shown are turned away as bots. */
  minimumFillMs?: number;
  /** How a commit's write-ahead log is flushed to disk (db/durability.ts; tests hold or fail it). */
  syncFile?: SyncFile;
}

/** What arrives from the form or the JSON API, before any checks. */
export interface ReferralSubmission {
  /** The answers in the API's shape (the form is converted by `readPostedForm`), unvalidated. */
  answers: unknown;
  formToken: string | undefined;
  honeypot: string | undefined;
}

/** What he is told once a referral is stored (the first time, or again for a repeated form). */
export interface ReferralReceipt {
  referralId: string;
  reference: string;
  contactBy: Date;
  priority: Priority;
  showsRisk: boolean;
  /** An acknowledgement email was queued (he gave an email address and said it is safe). */
  acknowledgementQueued: boolean;
  /** His safe times to call are all outside office hours: we must not promise a call by the deadline. */
  safeTimesOutsideOfficeHours: boolean;
  emailSafe: boolean;
}

export type SubmissionOutcome =
  | { kind: 'created'; receipt: ReferralReceipt }
  /** The same form was sent again (refresh, double click, Back and send): nothing new was created. */
  | { kind: 'duplicate'; receipt: ReferralReceipt }
  | { kind: 'invalid'; errors: FieldError[] }
  /** He said he is under 18: nothing is stored, and he is shown who can help. */
  | { kind: 'under_18' }
  /**
   * Turned away as a likely bot. The reason is for logs and tests only: people and clients get the same
   * neutral message whichever check failed.
   */
  | { kind: 'not_accepted'; reason: 'honeypot' | 'too_fast' | 'missing_token' | 'bad_token' | 'expired_token' };

/** The database could not be written: nothing was saved, and he must be told so. */
export class ReferralStorageError extends Error {
  constructor(cause: unknown) {
    super('The referral could not be saved.', { cause });
    this.name = 'ReferralStorageError';
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const referralColumns = [
  'id',
  'reference',
  'status',
  'priority',
  'contactBy',
  'ruleVersion',
  'receivedAt',
  'officeId',
  'officePreference',
  'nation',
  'stage',
  'source',
  'meetPreference',
  'confidentialityVersion',
  'answersEnc',
  'triageEnc',
  'nameSearchHash',
  'idempotencyKey',
] as const satisfies ReadonlyArray<keyof typeof referrals.$inferInsert>;

type ReferralInsert = Pick<typeof referrals.$inferInsert, (typeof referralColumns)[number]> & {
  followUpDueAt: Date | null;
};

function buildInsertReferral(db: PortalDb, deferred: boolean) {
  // A date column's mapping cannot take null through a placeholder: one statement with the follow-up mark, one without.
  const columns: readonly string[] = deferred ? [...referralColumns, 'followUpDueAt'] : referralColumns;
  const values = Object.fromEntries(columns.map((column) => [column, sql.placeholder(column)]));
  return db
    .insert(referrals)
    .values(values as unknown as typeof referrals.$inferInsert)
    .prepare();
}

const insertReferralStatements = new WeakMap<PortalDb, Map<boolean, ReturnType<typeof buildInsertReferral>>>();

/**
 * Writes the referral row with an INSERT prepared once per connection with drizzle (so each column keeps its
 * mapping, dates to milliseconds); it runs inside whatever transaction the connection is in.
 */
function insertReferral(db: PortalDb, values: ReferralInsert): void {
  const deferred = values.followUpDueAt !== null;
  let byKind = insertReferralStatements.get(db);
  if (!byKind) insertReferralStatements.set(db, (byKind = new Map()));
  let insert = byKind.get(deferred);
  if (!insert) byKind.set(deferred, (insert = buildInsertReferral(db, deferred)));
  insert.run(values);
}

/** Whether a referral was already made from this form (a prepared statement: it runs on every submission). */
function idempotencyKeyUsed(db: DbWriter, key: string): boolean {
  return statement(db, 'SELECT 1 FROM referrals WHERE idempotency_key = ?').get(key) !== undefined;
}

/** The receipt of the referral already made from this form, if there is one. */
function storedFormReceipt(
  tx: PortalTransaction,
  keyring: Keyring,
  idempotencyKey: string,
): ReferralReceipt | undefined {
  if (!idempotencyKeyUsed(tx, idempotencyKey)) return undefined;
  const row = tx.select().from(referrals).where(eq(referrals.idempotencyKey, idempotencyKey)).get();
  return row ? receiptFromRow(tx, keyring, row) : undefined;
}

function referenceUsed(db: DbWriter, reference: string): boolean {
  return statement(db, 'SELECT 1 FROM referrals WHERE reference = ?').get(reference) !== undefined;
}

function receiptFromRow(tx: PortalTransaction, keyring: Keyring, row: typeof referrals.$inferSelect): ReferralReceipt {
  const acknowledgement = tx
    .select({ id: outboxMessages.id })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.dedupeKey, acknowledgementDedupeKey(row.id))))
    .get();
  const answers = decryptAnswers(keyring, row.id, row.answersEnc);
  return {
    referralId: row.id,
    reference: row.reference,
    contactBy: row.contactBy,
    priority: row.priority,
    showsRisk: answersShowRisk(answers),
    // Queued, or due with the rest of its follow-up (server/referrals/follow-up.ts).
    acknowledgementQueued:
      acknowledgement !== undefined || (row.followUpDueAt !== null && acknowledgementWanted(answers)),
    // Shown again for a repeated form: his only safe time is the evening (after every office closes).
    safeTimesOutsideOfficeHours:
      answers.phoneSafe === 'yes' &&
      Array.isArray(answers.safeTimes) &&
      answers.safeTimes.length > 0 &&
      answers.safeTimes.every((time) => time === 'evening'),
    emailSafe: !!answers.email && answers.emailSafe === 'yes',
  };
}

/**
 * The one way a referral gets in, for both the HTML form and the JSON API: bot checks, idempotency, the
 * under-18 rule, validation against the question definitions, triage and deadline, then one transaction
 * that writes the referral, his acknowledgement email and whatever `onReferralStored` adds. The referral is
 * "saved" only when this returns: the commit is durable (synchronous = FULL). Throws `ReferralStorageError`
 * when the database cannot be written.
 */
export function submitReferral(
  deps: ReferralServiceDeps,
  submission: ReferralSubmission,
  now: Date,
): SubmissionOutcome {
  const prepared = prepareSubmission(deps, submission, now);
  if (prepared.kind === 'answered') return prepared.outcome;
  try {
    return deps.db.transaction((tx) => prepared.write(tx, true), { behavior: 'immediate' });
  } catch (error) {
    throw new ReferralStorageError(error);
  }
}

/**
 * One referral's write, run inside a transaction the caller has open (its own, or a savepoint of a group commit).
 * `alone`: nothing else is arriving, so the follow-up is written in the same transaction; otherwise it is
 * marked due and done moments later (server/referrals/follow-up.ts).
 */
export type ReferralWrite = (tx: PortalTransaction, alone: boolean) => SubmissionOutcome;

/** What is left to do for one submission: nothing (it is answered), or its write. */
type PreparedSubmission = { kind: 'answered'; outcome: SubmissionOutcome } | { kind: 'write'; write: ReferralWrite };

/** Every step before the write (bot checks, idempotency, validation, triage), then the write as a function. */
function prepareSubmission(deps: ReferralServiceDeps, submission: ReferralSubmission, now: Date): PreparedSubmission {
  const answered = (outcome: SubmissionOutcome): PreparedSubmission => ({ kind: 'answered', outcome });
  if (submission.honeypot !== undefined && submission.honeypot.trim() !== '')
    return answered({ kind: 'not_accepted', reason: 'honeypot' });
  const token = deps.formTokens.verify(submission.formToken, now);
  if (!token.ok && token.reason !== 'expired')
    return answered({ kind: 'not_accepted', reason: token.reason === 'missing' ? 'missing_token' : 'bad_token' });

  // A repeat of a form already stored answers with that referral whatever it now contains, so a refresh
  // or Back-and-send never creates a second referral (and never shows errors for a referral already made). Looked
  // up here before any other answer; a form that will be written is looked up inside its write instead (once, not
  // twice, on the path every referral takes).
  const answeredUnlessStored = (outcome: SubmissionOutcome): PreparedSubmission => {
    let existing: ReferralReceipt | undefined;
    try {
      existing = deps.db.transaction((tx) => storedFormReceipt(tx, deps.keyring, token.idempotencyKey));
    } catch (error) {
      throw new ReferralStorageError(error);
    }
    return answered(existing ? { kind: 'duplicate', receipt: existing } : outcome);
  };

  if (isObject(submission.answers) && submission.answers.over18 === 'no')
    return answeredUnlessStored({ kind: 'under_18' });
  if (!isObject(submission.answers)) {
    return answeredUnlessStored({
      kind: 'invalid',
      errors: [{ path: '', message: 'Send the answers as one JSON object' }],
    });
  }

  // Validation first: a person who presses Send early with answers missing needs to see what is missing, not
  // a neutral "check and send again". Only a complete form can be turned away as too fast or too old.
  const validation = validateReferralAnswers(submission.answers, { today: londonDate(now) });
  if (!validation.ok) return answeredUnlessStored({ kind: 'invalid', errors: validation.errors });

  if (now.getTime() - token.issuedAt.getTime() < (deps.minimumFillMs ?? MINIMUM_FILL_MS)) {
    return answeredUnlessStored({ kind: 'not_accepted', reason: 'too_fast' });
  }
  if (!token.ok) return answeredUnlessStored({ kind: 'not_accepted', reason: 'expired_token' });
  const answers = validation.answers;

  // From here on any failure (a calendar that cannot be read, the database) means "not saved": he is told so and
  // gets his answers back, rather than a generic error page that loses them.
  try {
    const {
      officeId,
      calendar,
      triage: triageResult,
      deadline,
    } = assessReferral(answers, now, deps.calendarFor ?? defaultCalendarFor);
    const showsRisk = answersShowRisk(answers);

    const write: ReferralWrite = (tx, alone) => {
      // A form already stored (sent again, or two identical posts racing each other) makes no second referral.
      const already = storedFormReceipt(tx, deps.keyring, token.idempotencyKey);
      if (already) return { kind: 'duplicate', receipt: already };

      const id = randomUUID();
      let reference = newReferralReference();
      for (let attempt = 0; referenceUsed(tx, reference); attempt++) {
        if (attempt >= 10) throw new Error('Could not find an unused referral reference.');
        reference = newReferralReference();
      }

      insertReferral(deps.db, {
        id,
        reference,
        status: 'new',
        priority: triageResult.priority,
        contactBy: deadline.contactBy,
        ruleVersion: triageResult.ruleVersion,
        receivedAt: now,
        officeId,
        ...routingColumns(answers),
        confidentialityVersion: answers.confidentialityAgreedVersion,
        answersEnc: encryptAnswers(deps.keyring, id, answers),
        triageEnc: encryptTriage(deps.keyring, id, {
          result: triageResult,
          deadline: {
            contactBy: deadline.contactBy.toISOString(),
            cappedByTriggerDate: deadline.cappedByTriggerDate,
            notes: deadline.notes,
          },
        }),
        nameSearchHash: nameSearchHash(deps.keyring, answers.name),
        idempotencyKey: token.idempotencyKey,
        followUpDueAt: alone ? null : now,
      } satisfies typeof referrals.$inferInsert);

      const stored: StoredReferral = {
        id,
        reference,
        receivedAt: now,
        officeId,
        ...routingColumns(answers),
        priority: triageResult.priority,
        contactBy: deadline.contactBy,
        triage: triageResult,
        deadline,
        calendar,
        showsRisk,
        answers,
      };
      // Alone: the follow-up commits with the referral (if it fails, so does the referral: never one without
      // its alerts). In a burst it is due, on disk with the referral, and done moments later.
      const acknowledgementQueued = alone ? followUpReferral(tx, deps, stored, now) : acknowledgementWanted(answers);

      return {
        kind: 'created',
        receipt: {
          referralId: id,
          reference,
          contactBy: deadline.contactBy,
          priority: triageResult.priority,
          showsRisk,
          acknowledgementQueued,
          safeTimesOutsideOfficeHours: deadline.notes.some((note) => note.id === 'safe_times_outside_office_hours'),
          emailSafe: !!answers.email && answers.emailSafe === 'yes',
        },
      };
    };
    return { kind: 'write', write };
  } catch (error) {
    throw new ReferralStorageError(error);
  }
}

export interface ReferralService {
  /** A fresh signed form token for a newly shown form. */
  issueFormToken(now: Date): string;
  /** The token to put back in a returned form: the one he sent when it is genuine (it stays his idempotency key), else a fresh one. */
  formTokenFor(submitted: string | undefined, now: Date): string;
  /**
   * Submits in its own turn of the event loop and resolves once the referral is durably committed. Referrals
   * that arrive together share one commit (see `createGroupCommit`).
   */
  submit(submission: ReferralSubmission, now: Date): Promise<SubmissionOutcome>;
  /** True while submissions are arriving (background work gives way: follow-ups, the mail worker). */
  busy(): boolean;
  /** The follow-ups of referrals stored during a burst (server/referrals/follow-up.ts). */
  followUps: FollowUpProcessor;
  /** Lets go of what it holds open (the database's log file, for flushes); after the last submission. */
  close(): Promise<void>;
}

type Settled = { ok: true; value: SubmissionOutcome } | { ok: false; error: unknown };

/**
 * Group commit: the writes of referrals that arrive together run as savepoints inside ONE immediate transaction,
 * so they share one durable commit (one fsync with synchronous = FULL) instead of one each. Each caller's promise
 * settles only after that commit: a referral is answered "saved" only when it is on disk. One referral's failure
 * rolls back its savepoint alone; a failed commit fails every referral in the group (nothing of it is stored).
 * `turn` decides when the group is written: after the turns already waiting, so their writes join it. Each write
 * is told whether it is `alone`: the only one in its group with nothing else waiting (`othersWaiting`).
 * The commit's flush to disk runs off the event loop (`durability`, db/durability.ts): the next group is written
 * while it runs, and this group's callers are answered when it ends; a failed flush fails the group.
 */
export function createGroupCommit(
  db: PortalDb,
  turn: () => Promise<void>,
  othersWaiting: () => boolean = () => false,
  // The service passes its own (closed with it); this default opens the log file for each flush, holding nothing.
  durability: DeferredDurability = deferredDurability(db, datasyncFile),
): (write: ReferralWrite) => Promise<SubmissionOutcome> {
  // One savepoint function for the connection (better-sqlite3 runs a transaction function called inside an open
  // transaction as a savepoint): cheaper than a drizzle transaction object for every referral.
  const inSavepoint = db.$client.transaction((write: () => SubmissionOutcome) => write());
  let pending: {
    write: ReferralWrite;
    resolve: (o: SubmissionOutcome) => void;
    reject: (e: unknown) => void;
  }[] = [];
  const flush = () => {
    const group = pending;
    pending = [];
    const alone = group.length === 1 && !othersWaiting();
    const settled: Settled[] = [];
    const failAll = (error: unknown) => {
      for (const item of group) item.reject(new ReferralStorageError(error));
    };
    try {
      durability.commitWithoutSync(() =>
        db.transaction(
          (tx) => {
            for (const item of group) {
              try {
                settled.push({ ok: true, value: inSavepoint(() => item.write(tx, alone)) });
              } catch (error) {
                settled.push({ ok: false, error });
                // A failure that ended the whole transaction (SQLite rolls back on some errors) fails the group.
                if (!db.$client.inTransaction) throw error;
              }
            }
          },
          { behavior: 'immediate' },
        ),
      );
    } catch (error) {
      failAll(error);
      return;
    }
    durability.flushed().then(() => {
      group.forEach((item, index) => {
        const result = settled[index]!;
        if (result.ok) item.resolve(result.value);
        else item.reject(new ReferralStorageError(result.error));
      });
    }, failAll);
  };
  return (write) =>
    new Promise<SubmissionOutcome>((resolve, reject) => {
      pending.push({ write, resolve, reject });
      if (pending.length === 1) void turn().then(flush);
    });
}

/** A submission counts as arriving for this long after it was answered, so a steady stream reads as busy. */
const BUSY_AFTER_MS = 50;

export function createReferralService(deps: ReferralServiceDeps & { now?: () => Date }): ReferralService {
  // Heavy synchronous work waits for its own turn, so crisis pages asked for during a flood are answered between two.
  const turn = createTurnQueue();
  // Submissions between arrival and answer; and when the last one was answered (a monotonic clock: scheduling only).
  let inFlight = 0;
  let lastAnsweredAt = -Infinity;
  const busy = () => inFlight > 0 || performance.now() - lastAnsweredAt < BUSY_AFTER_MS;
  const durability = deferredDurability(deps.db, deps.syncFile);
  const commit = createGroupCommit(deps.db, turn, () => inFlight > 1, durability);
  const followUps = createFollowUpProcessor({
    db: deps.db,
    commitWithoutSync: (commit) => durability.commitWithoutSync(commit),
    keyring: deps.keyring,
    calendarFor: deps.calendarFor ?? defaultCalendarFor,
    ...(deps.onReferralStored ? { onReferralStored: deps.onReferralStored } : {}),
    turn,
    busy,
    now: deps.now ?? (() => new Date()),
  });
  return {
    issueFormToken: (now) => deps.formTokens.issue(now),
    formTokenFor: (submitted, now) =>
      submitted !== undefined && deps.formTokens.verify(submitted, now).ok ? submitted : deps.formTokens.issue(now),
    submit: async (submission, now) => {
      inFlight++;
      try {
        await turn();
        const prepared = prepareSubmission(deps, submission, now);
        if (prepared.kind === 'answered') {
          // A receipt for a referral already made is given only once that referral is on disk (it may have been
          // committed a moment ago, its flush still under way).
          if (prepared.outcome.kind === 'duplicate') await durability.flushed();
          return prepared.outcome;
        }
        let deferred = false;
        const outcome = await commit((tx, alone) => {
          deferred = !alone;
          return prepared.write(tx, alone);
        });
        if (deferred && outcome.kind === 'created') followUps.notify();
        return outcome;
      } finally {
        inFlight--;
        lastAnsweredAt = performance.now();
      }
    },
    busy,
    followUps,
    close: () => durability.close(),
  };
}
