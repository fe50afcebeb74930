/** A calendar date in Europe/London, written `YYYY-MM-DD`. */
export type IsoDate = string;

/** A Europe/London wall-clock time, written `HH:MM` (24-hour). */
export type ClockTime = string;

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** England and Wales share one set of bank holidays; Scotland and Northern Ireland each have their own. */
export type Nation = 'england-and-wales' | 'scotland' | 'northern-ireland';

/** One opening window per weekday; a weekday with no entry is closed. */
export interface OfficeHours {
  weekday: IsoWeekday;
  opens: ClockTime;
  closes: ClockTime;
}

export interface CalendarConfig {
  nation: Nation;
  hours: OfficeHours[];
  /** Extra days the office is shut (training days, the days between Christmas and New Year...). */
  closures: IsoDate[];
}

/** A working window on one London date, as instants. */
export interface WorkingWindow {
  date: IsoDate;
  start: Date;
  end: Date;
}

/** Why a deadline could not follow the normal rule. Staff see `text`; code can branch on `id`. */
export type DeadlineNoteId =
  /** No working time at all between receipt and the end of day D+7: deadline is the end of D+7 itself. */
  | 'no_working_time_within_7_days'
  /** next_working_day with no working day after D inside D+1..D+7: deadline falls back to the end of D's window. */
  | 'no_working_day_after_receipt_within_7_days'
  /** There is no working time between receipt and the trigger date, so the trigger date cannot cap the deadline. */
  | 'trigger_date_cap_impossible'
  /** The trigger date given was not a real `YYYY-MM-DD` date, so it was ignored. */
  | 'invalid_trigger_date'
  /** The deadline came before his first safe time to call inside office hours: it is the end of that safe time. */
  | 'moved_to_safe_time'
  /** No safe time to call him falls inside office hours before day 7: the deadline stays, and staff are told why. */
  | 'safe_times_outside_office_hours';

export interface DeadlineNote {
  id: DeadlineNoteId;
  text: string;
}

export interface ContactDeadline {
  contactBy: Date;
  /** True when a bail, charge or court date pulled the deadline earlier than the priority alone would. */
  cappedByTriggerDate: boolean;
  /** Empty in the normal case; otherwise explains each edge that changed the deadline. */
  notes: DeadlineNote[];
}

/** 09:00-12:00, 12:00-17:00, 17:00-20:00 London time. */
export type SafeTime = 'morning' | 'afternoon' | 'evening';

export interface CaseworkerShift {
  weekday: IsoWeekday;
  start: ClockTime;
  end: ClockTime;
}

export interface CaseworkerPattern {
  staffId: string;
  weekly: CaseworkerShift[];
  maxFirstContactsPerDay: number;
}

export interface BookedContact {
  staffId: string;
  start: Date;
  end: Date;
  /**
   * Defaults to 'first_contact'. Both kinds keep the caseworker busy; only first contacts count towards
   * their daily limit, which is a limit on first contacts (the hardest calls), not on all their work.
   */
  kind?: 'first_contact' | 'appointment';
}

export interface SlotRequest {
  receivedAt: Date;
  deadline: Date;
  cfg: CalendarConfig;
  caseworkers: CaseworkerPattern[];
  booked: BookedContact[];
  /** Empty array means any time is safe. Only constrains phone contact. */
  safeTimes: SafeTime[];
  phoneSafe: boolean;
  emailSafe: boolean;
  /** Defaults to 30. */
  slotMinutes?: number;
}

/** Why no slot fitted, for code to branch on (e.g. what an email may say: the reasons about him stay in the back office). */
export type SlotFallbackReasonId =
  /** He gave no phone or email that is safe to use: a person has to agree a route (not a capacity problem). */
  | 'no_safe_channel'
  | 'no_time_before_deadline'
  | 'no_office_time'
  | 'no_caseworker_rostered'
  | 'caseworkers_fully_booked'
  | 'outside_safe_times';

export type SlotProposal =
  | { kind: 'slot'; start: Date; end: Date; staffId: string; channel: 'phone' | 'email' }
  | { kind: 'deadline_fallback'; start: Date; reasonId: SlotFallbackReasonId; reason: string; capacityShort: true };
