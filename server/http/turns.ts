/**
 * Heavy synchronous request work (a referral: validation, triage, encryption, a durable commit; a sign-in page)
 * waits for its own turn of the event loop, one at a time. Between two turns Node reads the sockets again, so a
 * crisis page asked for during a flood of referrals waits for at most one referral, not for all twenty queued.
 * It changes no result, only the order in which waiting work runs.
 */
export function createTurnQueue(): () => Promise<void> {
  let last: Promise<void> = Promise.resolve();
  return () => {
    const mine = last.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
    last = mine;
    return mine;
  };
}

/** How often background work that gives way looks again whether the foreground is still busy. */
export const GIVE_WAY_POLL_MS = 50;

/**
 * For background work (mail, referral follow-ups) that gives way while heavy foreground work arrives, but never
 * for longer than `maxWaitMs`: `mustWait()` is true while `busy()` and the work has waited less than that (in
 * polls of GIVE_WAY_POLL_MS); once it answers false, the count starts again.
 */
export function createGiveWay(busy: () => boolean, maxWaitMs: number): { mustWait(): boolean } {
  let polls = 0;
  return {
    mustWait() {
      if (busy() && polls < maxWaitMs / GIVE_WAY_POLL_MS) {
        polls++;
        return true;
      }
      polls = 0;
      return false;
    },
  };
}
