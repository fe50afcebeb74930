import type { Priority } from '../triage/types.ts';
import { addCalendarDays, endOfLondonDate, isValidIsoDate, londonDate, workingWindowsBetween } from './calendar.ts';
import type { CalendarConfig, ContactDeadline, DeadlineNote, IsoDate, WorkingWindow } from './types.ts';

export type { ContactDeadline, DeadlineNote, DeadlineNoteId } from './types.ts';

/** The service promises first contact within 7 calendar days, so nothing may ever be later than this. */
export const SERVICE_STANDARD_DAYS = 7;

/** Someone received outside hours with a same-day need is contacted early in the next working window. */
export const OUT_OF_HOURS_TODAY_GRACE_MS = 2 * 60 * 60_000;

/** The latest any deadline may be: the last moment of London date D+7, where D is the date of receipt. */
export function sevenDayLimit(receivedAt: Date): Date {
  return endOfLondonDate(addCalendarDays(londonDate(receivedAt), SERVICE_STANDARD_DAYS));
}

/**
 * When first contact must happen by.
 *
 * Every deadline lies inside a working window of a working date in D..D+7 and is not before receipt.
 * The one exception is when no working time is left at all between receipt and the end of D+7
 * (for example the office is closed for the whole week, or he wrote on the evening of the only
 * working day in range). Then we return the end of D+7 itself, with note `no_working_time_within_7_days`,
 * because a later deadline would break the 7-day promise and an earlier one would already have passed.
 */
export function contactBy(
  priority: Priority,
  receivedAt: Date,
  cfg: CalendarConfig,
  mustContactBeforeDate?: IsoDate | null,
): ContactDeadline {
  const receivedDate = londonDate(receivedAt);
  const lastDate = addCalendarDays(receivedDate, SERVICE_STANDARD_DAYS);
  // Windows that end after receipt are the only ones in which contact is still possible.
  const usableWindows = workingWindowsBetween(receivedDate, lastDate, cfg).filter(
    (window) => window.end.getTime() > receivedAt.getTime(),
  );
  const notes: DeadlineNote[] = [];

  const priorityDeadline = deadlineForPriority(priority, receivedAt, receivedDate, usableWindows, notes);

  if (mustContactBeforeDate === undefined || mustContactBeforeDate === null) {
    return { contactBy: priorityDeadline, cappedByTriggerDate: false, notes };
  }
  if (!isValidIsoDate(mustContactBeforeDate)) {
    notes.push({
      id: 'invalid_trigger_date',
      text: `trigger date "${mustContactBeforeDate}" is not a real date, so it was ignored`,
    });
    return { contactBy: priorityDeadline, cappedByTriggerDate: false, notes };
  }

  const lastWindowBeforeTrigger = usableWindows.filter((window) => window.date < mustContactBeforeDate).at(-1);
  if (!lastWindowBeforeTrigger) {
    // A trigger date after D+7 is already covered by the 7-day limit, so there is nothing to report.
    if (mustContactBeforeDate > lastDate) return { contactBy: priorityDeadline, cappedByTriggerDate: false, notes };
    notes.push({
      id: 'trigger_date_cap_impossible',
      text: `no working time is left before ${mustContactBeforeDate}, so the deadline follows the priority alone: contact as early as possible`,
    });
    return { contactBy: priorityDeadline, cappedByTriggerDate: false, notes };
  }
  if (lastWindowBeforeTrigger.end.getTime() < priorityDeadline.getTime()) {
    return { contactBy: lastWindowBeforeTrigger.end, cappedByTriggerDate: true, notes };
  }
  return { contactBy: priorityDeadline, cappedByTriggerDate: false, notes };
}

function deadlineForPriority(
  priority: Priority,
  receivedAt: Date,
  receivedDate: IsoDate,
  usableWindows: WorkingWindow[],
  notes: DeadlineNote[],
): Date {
  const noWorkingTimeLeft = (): Date => {
    notes.push({
      id: 'no_working_time_within_7_days',
      text: 'the office has no working time left within 7 days of receipt, so the deadline is the end of day 7',
    });
    return sevenDayLimit(receivedAt);
  };

  switch (priority) {
    case 'today': {
      const current = usableWindows.find((window) => window.start.getTime() <= receivedAt.getTime());
      if (current) return current.end;
      const next = usableWindows[0];
      if (!next) return noWorkingTimeLeft();
      return new Date(Math.min(next.start.getTime() + OUT_OF_HOURS_TODAY_GRACE_MS, next.end.getTime()));
    }
    case 'next_working_day': {
      const nextDay = usableWindows.find((window) => window.date > receivedDate);
      if (nextDay) return nextDay.end;
      const sameDay = usableWindows[0];
      if (!sameDay) return noWorkingTimeLeft();
      // Earlier than asked for, but the only way to keep the 7-day promise.
      notes.push({
        id: 'no_working_day_after_receipt_within_7_days',
        text: 'no working day follows within 7 days, so contact is due by the end of today instead',
      });
      return sameDay.end;
    }
    case 'within_7_days': {
      const latest = usableWindows.at(-1);
      if (!latest) return noWorkingTimeLeft();
      return latest.end;
    }
  }
}
