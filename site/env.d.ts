/// <reference path="../.astro/types.d.ts" />

declare namespace App {
  interface Locals {
    /** The signed-in staff member, or null on pages that do not need one. Set by Fastify before Astro renders. */
    staff: import('../server/astro-locals.ts').StaffLocal | null;
    /** Server services (database access and domain functions) shared with Fastify: pages never open the database themselves. */
    services: import('../server/astro-locals.ts').PageServices;
    /** Per-request values Fastify passes to the page (CSRF token, flash messages, request id). */
    request: import('../server/astro-locals.ts').RequestLocal;
    /** The back-office screen and its data, loaded and access-checked by the Fastify route; null elsewhere. */
    page: import('../server/astro-locals.ts').PageLocal | null;
    /** The self-referral page's state (form, confirmation or problem), decided by the Fastify route; absent elsewhere. */
    referral?: import('../server/astro-locals.ts').ReferralPageLocal;
    /** The anonymous feedback page's state, decided by server/feedback/routes.ts; absent elsewhere. */
    feedback?: import('../server/astro-locals.ts').FeedbackPageLocal;
  }
}
