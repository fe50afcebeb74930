import { eq, inArray } from 'drizzle-orm';
import { outboxMessages } from '../../db/schema/outbox.ts';
import { enqueueEmail } from '../mail/outbox.ts';
import { calendarFor, listOffices } from '../offices/calendar.ts';
import type { SqliteDb } from '../offices/db.ts';
import { alertAddressesFor } from '../offices/recipients.ts';
import {
  londonDate,
  londonWallClock,
  parseClockTime,
  workingWindow,
  workingWindowsBetween,
} from '../scheduling/calendar.ts';
import type { CalendarConfig } from '../scheduling/types.ts';
import type { Priority } from '../triage/types.ts';
import { backOfficeReferralUrl } from './format.ts';
import type { AlertDeps } from './new-referral.ts';
import { dailyDigest, escalationAlert, type DigestEntry, type EscalationStage } from './templates.ts';

/** A referral nobody has made first contact with yet: all that escalations and the digest need. */
export interface UncontactedReferral {
  referralId: string;
  reference: string;
  officeId: string;
  priority: Priority;
  receivedAt: Date;
  contactBy: Date;
}

export const ESCALATION_FRACTIONS: Record<Exclude<EscalationStage, 'breach'>, number> = { half: 0.5, ninety: 0.9 };
export const DIGEST_TIME = '08:30';

export const escalationDedupeKey = (referralId: string, stage: EscalationStage) => `escalation:${referralId}:${stage}`;
export const digestDedupeKey = (officeId: string, date: string) => `digest:${officeId}:${date}`;

/**
 * The moment a given fraction of the office's working time between receipt and the deadline has passed.
 * Working time, not clock time: half of a window from Friday evening to Monday 11:00 is Monday 10:00, not
 * 3am on Sunday when nobody could act. With no working time in the window, clock time is used.
 */
export function workingTimePoint(receivedAt: Date, contactBy: Date, cfg: CalendarConfig, fraction: number): Date {
  const from = receivedAt.getTime();
  const to = contactBy.getTime();
  if (to <= from) return contactBy;
  const spans = workingWindowsBetween(londonDate(receivedAt), londonDate(contactBy), cfg)
    .map((window) => ({ start: Math.max(window.start.getTime(), from), end: Math.min(window.end.getTime(), to) }))
    .filter((span) => span.end > span.start);
  const total = spans.reduce((sum, span) => sum + (span.end - span.start), 0);
  if (total === 0) return new Date(Math.round(from + fraction * (to - from)));
  let remaining = Math.round(fraction * total);
  for (const span of spans) {
    const length = span.end - span.start;
    if (remaining <= length) return new Date(span.start + remaining);
    remaining -= length;
  }
  return contactBy;
}

/** The most serious stage reached at `now`, or null. Only this stage is sent: a missed earlier one is not sent late. */
export function escalationStageAt(
  referral: UncontactedReferral,
  cfg: CalendarConfig,
  now: Date,
): EscalationStage | null {
  const at = now.getTime();
  if (at >= referral.contactBy.getTime()) return 'breach';
  if (at >= workingTimePoint(referral.receivedAt, referral.contactBy, cfg, ESCALATION_FRACTIONS.ninety).getTime())
    return 'ninety';
  if (at >= workingTimePoint(referral.receivedAt, referral.contactBy, cfg, ESCALATION_FRACTIONS.half).getTime())
    return 'half';
  return null;
}

function existingKeys(db: SqliteDb, keys: string[]): Set<string> {
  if (keys.length === 0) return new Set();
  const found = new Set<string>();
  // Chunked to stay well inside SQLite's limit on bound parameters.
  for (let i = 0; i < keys.length; i += 500) {
    const rows = db
      .select({ key: outboxMessages.dedupeKey })
      .from(outboxMessages)
      .where(inArray(outboxMessages.dedupeKey, keys.slice(i, i + 500)))
      .all();
    for (const row of rows) if (row.key) found.add(row.key);
  }
  return found;
}

function calendarCache(db: SqliteDb): (officeId: string) => CalendarConfig {
  const cache = new Map<string, CalendarConfig>();
  return (officeId) => {
    let cfg = cache.get(officeId);
    if (!cfg) {
      cfg = calendarFor(db, officeId);
      cache.set(officeId, cfg);
    }
    return cfg;
  };
}

function officeNames(db: SqliteDb): Map<string, string> {
  return new Map(listOffices(db).map((office) => [office.id, office.name]));
}

/**
 * Queues an escalation to the office's managers for each uncontacted referral that has reached half or 90%
 * of its window, or its deadline. Each stage is queued at most once per referral (its dedupe key), so running
 * this every minute, or again after a restart, never sends a second copy. Returns the outbox ids queued.
 */
export function runEscalations(db: SqliteDb, deps: AlertDeps, referrals: UncontactedReferral[], now: Date): string[] {
  const cfgFor = calendarCache(db);
  const due = referrals.flatMap((referral) => {
    const stage = escalationStageAt(referral, cfgFor(referral.officeId), now);
    return stage ? [{ referral, stage, key: escalationDedupeKey(referral.referralId, stage) }] : [];
  });
  const already = existingKeys(
    db,
    due.map((entry) => entry.key),
  );
  const names = officeNames(db);
  const queued: string[] = [];
  for (const { referral, stage, key } of due) {
    if (already.has(key)) continue;
    const email = escalationAlert({
      stage,
      reference: referral.reference,
      priority: referral.priority,
      contactBy: referral.contactBy,
      link: backOfficeReferralUrl(deps.publicBaseUrl, referral.referralId),
      officeName: names.get(referral.officeId) ?? referral.officeId,
    });
    const id = enqueueEmail(
      db,
      deps.keyring,
      {
        kind: 'escalation',
        to: alertAddressesFor(db, referral.officeId, ['managers']),
        subject: email.subject,
        text: email.text,
        dedupeKey: key,
      },
      now,
    );
    if (id) queued.push(id);
  }
  return queued;
}

/**
 * At 08:30 London time on each office's working days (or as soon after as the process is running, until the
 * office closes), queues one digest of what is overdue and due that day to the triage list and managers.
 * Once per office per day, whatever the restarts.
 */
export function runDailyDigest(db: SqliteDb, deps: AlertDeps, referrals: UncontactedReferral[], now: Date): string[] {
  const today = londonDate(now);
  const minutes = londonWallClock(now).minutes;
  if (minutes < parseClockTime(DIGEST_TIME)) return [];
  const queued: string[] = [];
  for (const office of listOffices(db)) {
    const window = workingWindow(today, calendarFor(db, office.id));
    if (!window || now.getTime() >= window.end.getTime()) continue;
    const key = digestDedupeKey(office.id, today);
    if (db.select({ id: outboxMessages.id }).from(outboxMessages).where(eq(outboxMessages.dedupeKey, key)).get())
      continue;

    const mine = referrals
      .filter((referral) => referral.officeId === office.id)
      .sort((a, b) => a.contactBy.getTime() - b.contactBy.getTime());
    const entry = (referral: UncontactedReferral): DigestEntry => ({
      reference: referral.reference,
      priority: referral.priority,
      contactBy: referral.contactBy,
      link: backOfficeReferralUrl(deps.publicBaseUrl, referral.referralId),
    });
    const overdue = mine.filter((referral) => referral.contactBy.getTime() <= now.getTime());
    const dueToday = mine.filter(
      (referral) => referral.contactBy.getTime() > now.getTime() && londonDate(referral.contactBy) === today,
    );
    const email = dailyDigest({
      officeName: office.name,
      day: now,
      overdue: overdue.map(entry),
      dueToday: dueToday.map(entry),
      laterCount: mine.length - overdue.length - dueToday.length,
      publicBaseUrl: deps.publicBaseUrl,
    });
    const id = enqueueEmail(
      db,
      deps.keyring,
      {
        kind: 'daily_digest',
        to: alertAddressesFor(db, office.id, ['triage', 'managers']),
        subject: email.subject,
        text: email.text,
        dedupeKey: key,
      },
      now,
    );
    if (id) queued.push(id);
  }
  return queued;
}
