import type { Services } from './services.ts';
import type { Flash } from './auth/sessions.ts';
import type { BackofficePage } from './backoffice/pages.ts';
import type { ReferralPageState } from './referrals/page-state.ts';
import type { FeedbackPageState } from './feedback/page-state.ts';

/** What an Astro page may know about the signed-in staff member. */
export interface StaffLocal {
  id: string;
  name: string;
  role: 'admin' | 'manager' | 'caseworker';
  officeIds: string[];
  /** When the idle timeout signs them out if they do nothing more (shown on every page). */
  signOutAt?: Date;
  /** When the session ends however active they are. */
  absoluteSignOutAt?: Date;
}

/** Per-request values from Fastify (the page never reads cookies or bodies itself). */
export interface RequestLocal {
  id: string;
  csrfToken: string | null;
  /** Messages, errors and typed values left by the last form post (post, redirect, get), shown once. */
  flash?: Flash | null;
}

/** The back-office screen to render and its data, prepared (and access-checked) by the Fastify route. */
export type PageLocal = BackofficePage;

export type PageServices = Services;

/** What the self-referral page (/refer) shows: the form, its confirmation, or a problem. Set by server/referrals/routes.ts. */
export type ReferralPageLocal = ReferralPageState;

/** What the anonymous feedback page (/feedback) shows. Set by server/feedback/routes.ts. */
export type FeedbackPageLocal = FeedbackPageState;
