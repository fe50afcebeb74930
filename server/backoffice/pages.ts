import type { StaffRole } from '../staff/roles.ts';
import type { AuditRow } from '../audit/audit.ts';

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
  staff: StaffSummary[];
  offices: OfficeOption[];
}

export interface StaffDetailPage {
  kind: 'staff_detail';
  member: StaffSummary;
  offices: OfficeOption[];
  activeSessions: number;
  isSelf: boolean;
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
  chain: { ok: boolean; entries: number; brokenAtSeq: number | null } | null;
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
  | MessagePage;

export type PageOfKind<K extends BackofficePage['kind']> = Extract<BackofficePage, { kind: K }>;
