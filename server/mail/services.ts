import type { PortalDb } from '../../db/client.ts';
import type { Clock } from '../clock.ts';
import { listFailedMail, listMailAttempts, outboxHealth, retryFailedMail } from './admin.ts';
import { createOutboxSignal } from './signal.ts';

/** The mail part of `services`: what routes and back-office pages use. The worker itself runs in server/alerts/plugin.ts. */
export function createMailServices(deps: { db: PortalDb; clock: Clock }) {
  const signal = createOutboxSignal();
  return {
    /** Call `signal.notify()` after queueing email so it goes at once rather than at the next poll. */
    signal,
    listFailed: () => listFailedMail(deps.db),
    attempts: (id: string) => listMailAttempts(deps.db, id),
    /** Re-queues a failed message for another 24 hours and sends it at once. False if it was not failed. */
    retryFailed(id: string): boolean {
      const queued = retryFailedMail(deps.db, id, deps.clock.now());
      if (queued) signal.notify();
      return queued;
    },
    health: () => outboxHealth(deps.db, deps.clock.now()),
  };
}

export type MailServices = ReturnType<typeof createMailServices>;
