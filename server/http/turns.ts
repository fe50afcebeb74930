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
