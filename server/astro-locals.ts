import type { Services } from './services.ts';

/** What an Astro page may know about the signed-in staff member. */
export interface StaffLocal {
  id: string;
  name: string;
  role: 'admin' | 'manager' | 'caseworker';
  officeIds: string[];
}

/** Per-request values from Fastify (the page never reads cookies or bodies itself). */
export interface RequestLocal {
  id: string;
  csrfToken: string | null;
}

export type PageServices = Services;
