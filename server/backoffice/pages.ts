import type { ReminderTask } from '../casework/reminder-tasks.ts';
import type { StaffRole } from '../staff/roles.ts';
import type { AuditRow } from '../audit/audit.ts';
import type { Priority } from '../triage/types.ts';
import type { DashboardView } from '../evaluation/present.ts';
import type { DataLifecyclePage } from './lifecycle-pages.ts';

/**
 * The data each back-office screen renders. Fastify routes build these (after every access check) and pass one to
 * Astro as `Astro.locals.page`; the Astro page only renders. Dates are Date objects; pages format them for London.
 */

export interface SignInPage {
  kind: 'sign_in';
  status?: number;
  email: string;
  next: string | null;
  error: string | null;
  notice: string | null;
}

export interface SignInCodePage {
  kind: 'sign_in_code';
  status?: number;
  error: string | null;
}

export interface EnrolPage {
  kind: 'enrol';
  status?: number;
  token: string;
  name: string;
  email: string;
  expiresAt: Date;
  typedKey: string;
  qrSvg: string;
  errors: Record<string, string>;
}

export interface EnrolDonePage {
  kind: 'enrol_done';
  recoveryCodes: string[];
}

export interface EnrolInvalidPage {
  kind: 'enrol_invalid';
  status: number;
}

export interface StaffSummary {
  id: string;
  name: string;
  email: string;
  role: StaffRole;
  status: 'invited' | 'active' | 'disabled';
  officeIds: string[];
  enrolmentExpiresAt: Date | null;
}

export interface OfficeOption {
  id: string;
  name: string;
}

export interface StaffListPage {
  kind: 'staff_list';
  /** Alert recipient problems (empty lists, placeholder or failing addresses) across every office. */
  recipientWarnings?: string[];
  staff: StaffSummary[];
  offices: OfficeOption[];
}

export interface StaffDetailPage {
  kind: 'staff_detail';
  member: StaffSummary;
  offices: OfficeOption[];
  activeSessions: number;
  isSelf: boolean;
  /** Open referrals they hold: listed when disabling, and they must be handed over first. */
  openReferrals: Array<{ id: string; reference: string; priority: string; status: string; contactBy: Date }>;
  /** Who could take all of them (active caseworkers and managers of every office concerned). */
  handoverTo: Array<{ id: string; name: string }>;
}

/** Shown once, straight after adding someone or issuing a new link: the link is never stored or shown again. */
export interface EnrolmentLinkPage {
  kind: 'enrolment_link';
  member: { id: string; name: string; email: string };
  link: string;
  expiresAt: Date;
}

export interface AccountPage {
  kind: 'account';
  email: string;
  role: StaffRole;
  officeNames: string[];
  sessionStartedAt: Date;
  sessionExpiresAt: Date;
  otherSessions: number;
  recoveryCodesLeft: number;
}

export interface AuditPage {
  kind: 'audit';
  scopeLabel: string;
  rows: Array<AuditRow & { referralReference: string | null; targetStaffName: string | null }>;
  filters: { action: string; actorId: string };
  actions: readonly string[];
  actors: Array<{ id: string; name: string }>;
  nextBeforeSeq: number | null;
  chain: { ok: boolean; entries: number; brokenAtSeq: number | null; problem?: string | null } | null;
}

export interface InboxRowView {
  id: string;
  reference: string;
  priority: Priority;
  contactBy: Date;
  officeName: string;
  status: string;
  assigneeName: string | null;
  receivedAt: Date;
  escalated: boolean;
  urgency: 'overdue' | 'due-today' | null;
  /** His phone or email matches another referral still held (server/retention/returning.ts). */
  returning?: boolean;
  /** Still waiting for first contact: only then does the contact-by time count down. */
  open: boolean;
  /** The name he gave (decrypted for the rows on this page only). */
  name: string | null;
  /** What matters for the first call; null when his answers cannot be read. */
  flags: { risk: boolean; children: boolean; noVoicemail: boolean; doNotSayWhoWeAre: boolean } | null;
  lastAttempt: { at: Date; text: string } | null;
  nextAppointment: Date | null;
}

export interface InboxPage {
  kind: 'inbox';
  now: Date;
  rows: InboxRowView[];
  total: number;
  page: number;
  pageCount: number;
  filters: {
    status: string;
    priority: string;
    office: string;
    assignee: string;
    overdue: boolean;
    withManager: boolean;
  };
  offices: OfficeOption[];
  assignees: Array<{ id: string; name: string }>;
  /** Set when the list is a search result. */
  search: { kind: 'reference' | 'name'; problem: string | null } | null;
  reference: string;
  /** The query string of the current filters, without the page, for pagination links. */
  filterQuery: string;
}

export interface TimelineEntry {
  at: Date;
  staffName: string;
  title: string;
  text: string | null;
}

export interface ReferralPage {
  kind: 'referral';
  now: Date;
  /** Other referrals still held with the same phone or email (a returning person). */
  linkedReferrals?: Array<{ id: string; reference: string; receivedAt: Date; status: string; matchedOn: string[] }>;
  /** Managers (and admins) get a link to the referral's data screen: holds, subject access, erasure. */
  dataLink?: string | null;
  referral: {
    id: string;
    reference: string;
    status: string;
    priority: Priority;
    contactBy: Date;
    receivedAt: Date;
    officeId: string;
    officeName: string;
    sevenDayLimit: Date;
  };
  /** Every answer, grouped as the form groups them. Null when the stored data failed its integrity check. */
  groups: Array<{
    sectionId: string;
    section: string;
    items: Array<{ questionId: string; label: string; value: string }>;
  }> | null;
  integrityProblem: string | null;
  /** Shown at the top of the record on every width: the name he gave and his own words ("anything else"). */
  person: { name: string | null; anythingElse: string | null } | null;
  /** The contact plan while he has not been reached: next safe window per channel, what is still needed. */
  plan: {
    attempts: number;
    requiredAttempts: number;
    exhausted: boolean;
    missing: string[];
    windows: Array<{
      channel: string;
      label: string;
      allowed: boolean;
      why: string | null;
      from: Date | null;
      to: Date | null;
    }>;
  } | null;
  /** Appointments with their life cycle (issue 9); the older `appointments` list stays for compatibility. */
  appointmentViews: Array<{
    id: string;
    startsAt: Date;
    durationMinutes: number;
    where: string;
    staffName: string | null;
    status: string;
    statusLabel: string;
    confirmedWithHim: boolean;
    upcoming: boolean;
    /** How he will be reminded (by email the day before, or by hand), for booked appointments still to come. */
    reminder: string | null;
  }>;
  /** Flags for the top of the record, grouped so safeguarding never looks like paperwork. */
  flagGroups: { safeguarding: string[]; contact: string[]; admin: string[] };
  triage: {
    originalPriority: Priority;
    reasons: Array<{ ruleId: string; priority: Priority; text: string }>;
    flags: Array<{ id: string; text: string }>;
    ruleVersion: string;
    mustContactBeforeDate: string | null;
    cappedByTriggerDate: boolean;
    deadlineNotes: string[];
  } | null;
  overrides: Array<{ at: Date; staffName: string; from: string; to: string; reason: string }>;
  proposedSlot: {
    kind: 'slot' | 'deadline_fallback';
    startsAt: Date;
    staffName: string | null;
    channel: string | null;
    reason: string | null;
  } | null;
  safeContact: {
    phone: string | null;
    email: string | null;
    phoneSafe: boolean;
    voicemailAllowed: boolean;
    textsAllowed: boolean;
    withheldNumberOk: boolean | null;
    mayTellWhoWeAre: boolean;
    safeTimesText: string;
    emailSafe: boolean;
    gpWelfareCheck: boolean;
  } | null;
  assignee: { id: string; name: string } | null;
  assignable: Array<{ id: string; name: string }>;
  /** For managers while it is "with a manager": the options for their decision (POST …/decision). */
  decision: {
    options: Array<{ value: string; label: string; available: boolean; why: string | null }>;
    note: string | null;
  } | null;
  /** Wishes of his broken by mistake (recorded, audited); shown to managers and to whoever recorded them. */
  incidents: Array<{ label: string; happenedAt: Date; staffName: string; note: string }>;
  /** What an incident form offers. */
  incidentWishes: Array<{ value: string; label: string }>;
  /** Booked appointments still to come (the close form asks what to do with them). */
  futureAppointments: number;
  /** Who may see him at an appointment (the office's caseworkers and managers). */
  caseworkers: Array<{ id: string; name: string }>;
  attempts: TimelineEntry[];
  appointments: Array<{
    startsAt: Date;
    mode: string;
    officeName: string | null;
    staffName: string;
    lateReason: string | null;
  }>;
  notes: TimelineEntry[];
  history: TimelineEntry[];
  escalation: { raisedAt: Date; raisedByName: string } | null;
  manualStatuses: Array<{ value: string; label: string }>;
  offices: OfficeOption[];
  can: { reassign: boolean; take: boolean; overridePriority: boolean; export: boolean };
}

export interface OfficeListPage {
  kind: 'office_list';
  offices: Array<{
    id: string;
    name: string;
    nation: string;
    hoursText: string;
    closures: number;
    caseworkers: number;
  }>;
}

export interface OfficeDetailPage {
  kind: 'office_detail';
  /** This office's alert recipient problems (empty lists, placeholder or failing addresses). */
  recipientWarnings?: string[];
  office: { id: string; name: string; nation: string };
  /** One row per weekday, 1 = Monday. */
  hours: Array<{ weekday: number; label: string; open: boolean; opens: string; closes: string }>;
  closures: Array<{ date: string; reason: string | null }>;
  recipients: { triage: string[]; duty: string[]; managers: string[] };
  people: Array<{ id: string; name: string; role: string; patternText: string }>;
  today: string;
}

export interface PatternPage {
  kind: 'pattern';
  member: { id: string; name: string };
  shifts: Array<{ weekday: number; label: string; working: boolean; start: string; end: string }>;
  maxFirstContactsPerDay: number;
  hasPattern: boolean;
}

export interface FailedMailPage {
  kind: 'failed_mail';
  messages: Array<{
    id: string;
    kind: string;
    createdAt: Date;
    attempts: number;
    lastError: string | null;
    lastAttemptAt: Date | null;
  }>;
}

export interface ReportsPage {
  kind: 'reports';
  officeNames: string[];
  periodDays: number;
  byPriority: Array<{ label: string; count: number }>;
  byStatus: Array<{ label: string; count: number }>;
  overdueNow: number;
  firstContact: { eligible: number; within7Days: number; percent: number | null; medianDays: number | null };
  closedByReason: Array<{ label: string; count: number }>;
  escalationsOpen: number;
}

/** The evaluation dashboard (server/backoffice/routes/evaluation.ts): every number already suppressed. */
export interface EvaluationPage {
  kind: 'evaluation';
  scopeLabel: string;
  period: { preset: string; from: string; to: string; label: string };
  presets: Array<{ id: string; label: string }>;
  problem: string | null;
  offices: OfficeOption[];
  officeFilter: string;
  /** The current filters as a query string, for the aggregate export link. */
  filterQuery: string;
  view: DashboardView;
  /** Free-text feedback: managers only (admins see aggregates only). */
  comments: {
    items: Array<{ id: string; weekStart: string; officeName: string; text: string }>;
    hidden: number;
  } | null;
  canResearchExport: boolean;
}

/** Offering the anonymous feedback form for one referral. */
export interface FeedbackOfferPage {
  kind: 'feedback_offer';
  referral: { id: string; reference: string; statusLabel: string };
  eligible: boolean;
  appointments: number;
  afterSessions: number;
  emailSafe: boolean;
}

/** A printable card with a one-time code: shown once, never stored in clear. */
export interface FeedbackCardPage {
  kind: 'feedback_card';
  referralId: string;
  code: string;
  link: string;
  formAddress: string;
  qrSvg: string;
  validDays: number;
}

type FirstCallFlagsView = { risk: boolean; children: boolean; noVoicemail: boolean; doNotSayWhoWeAre: boolean };

/** A caseworker's start page (issue 9 views). */
export interface MyWorkPage {
  kind: 'my_work';
  now: Date;
  isManager: boolean;
  referrals: Array<{
    id: string;
    reference: string;
    name: string | null;
    priority: Priority;
    status: string;
    contactBy: Date;
    needsContact: boolean;
    urgency: 'overdue' | 'due-today' | null;
    escalated: boolean;
    flags: FirstCallFlagsView | null;
    lastAttempt: { at: Date; text: string } | null;
  }>;
  firstContactsToday: Array<{
    referralId: string;
    reference: string;
    name: string | null;
    startsAt: Date;
    endsAt: Date;
    channel: string | null;
    missed: boolean;
    flags: FirstCallFlagsView | null;
  }>;
  appointmentsThisWeek: Array<{
    id: string;
    referralId: string;
    reference: string;
    name: string | null;
    startsAt: Date;
    durationMinutes: number;
    mode: string;
    officeName: string | null;
  }>;
  withManager: Array<{ id: string; reference: string; name: string | null; priority: Priority; raisedAt: Date }>;
  /** Appointment reminders to send him by hand (email is not safe for him): channel, safe time and his words. */
  remindersToSend: Array<ReminderTask & { name: string | null }>;
}

/** The office calendar: a week of appointments, by day and caseworker. */
export interface CalendarPage {
  kind: 'calendar';
  /** Monday, YYYY-MM-DD. */
  weekOf: string;
  previousWeek: string;
  nextWeek: string;
  offices: OfficeOption[];
  officeId: string;
  total: number;
  days: Array<{
    date: string;
    label: string;
    isToday: boolean;
    people: Array<{
      staffName: string;
      appointments: Array<{
        id: string;
        referralId: string;
        reference: string;
        startsAt: Date;
        endsAt: Date;
        durationMinutes: number;
        where: string;
        status: string;
      }>;
    }>;
  }>;
}

export interface MessagePage {
  kind: 'forbidden' | 'not_found' | 'csrf_failed';
  status: number;
}

export type BackofficePage =
  | SignInPage
  | SignInCodePage
  | EnrolPage
  | EnrolDonePage
  | EnrolInvalidPage
  | StaffListPage
  | StaffDetailPage
  | EnrolmentLinkPage
  | AccountPage
  | AuditPage
  | InboxPage
  | ReferralPage
  | OfficeListPage
  | OfficeDetailPage
  | PatternPage
  | FailedMailPage
  | ReportsPage
  | EvaluationPage
  | FeedbackOfferPage
  | FeedbackCardPage
  | DataLifecyclePage
  | MyWorkPage
  | CalendarPage
  | MessagePage;

export type PageOfKind<K extends BackofficePage['kind']> = Extract<BackofficePage, { kind: K }>;
