/**
 * In-process "mail was queued" signal. Code that queues email inside a transaction calls `notify()`; the
 * worker subscribes and looks at the outbox straight away instead of at its next poll. Listeners run on a
 * later tick, so a notify from inside a synchronous transaction is seen only after the commit.
 */
export interface OutboxSignal {
  notify(): void;
  subscribe(listener: () => void): () => void;
}

export function createOutboxSignal(): OutboxSignal {
  const listeners = new Set<() => void>();
  return {
    notify() {
      if (listeners.size === 0) return;
      setImmediate(() => {
        for (const listener of listeners) listener();
      });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
