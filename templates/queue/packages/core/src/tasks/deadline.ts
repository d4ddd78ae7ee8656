import { ServiceUnavailableError } from "@repo/core";

/** When a wait on the datastore gives up, and what it then says. */
export interface Deadline {
  ms: number;
  /** The error to reject with once `ms` have passed. */
  timedOut(): Error;
  /** Gives up at once when this fires (the worker closing its queues), rejecting with `closed()`. */
  closing?: AbortSignal;
  closed?(): Error;
  /** What a failure of the work itself becomes (kept as it is without this). */
  failed?(error: unknown): Error;
}

/**
 * Settles as `work` does, unless the deadline comes first: neither ioredis and the
 * PostgreSQL pool (which retry for minutes while the datastore is down) nor BullMQ on
 * PostgreSQL (which leaves a closing queue's reads pending for ever) may hold a caller.
 * Work given up on runs on; its late outcome is dropped.
 */
export function withinDeadline<T>(work: () => Promise<T>, deadline: Deadline): Promise<T> {
  // One promise and one timer, no race of promises: enqueue's hot path runs through here.
  return new Promise<T>((resolve, reject) => {
    const { closing } = deadline;
    const settle = () => {
      clearTimeout(timer);
      closing?.removeEventListener("abort", giveUp);
    };
    const giveUp = () => {
      settle();
      reject(deadline.closed?.() ?? new Error("stopped waiting: the worker was closed"));
    };
    const fail = (error: unknown) => {
      settle();
      reject(deadline.failed ? deadline.failed(error) : error);
    };
    const timer = setTimeout(() => {
      settle();
      reject(deadline.timedOut());
    }, deadline.ms);
    if (closing) {
      if (closing.aborted) return giveUp();
      closing.addEventListener("abort", giveUp, { once: true });
    }
    let working: Promise<T>;
    try {
      working = work(); // opening a queue may throw at once (a datastore that cannot be configured)
    } catch (error) {
      return fail(error);
    }
    working.then((value) => {
      settle();
      resolve(value);
    }, fail);
  });
}

/**
 * The deadline of a read of the queue (a handle's reads and abort(), worker.counts()):
 * it fails with ServiceUnavailableError, which the app answers with 503. `cannot` says what
 * could not be done ("Could not read the status of task …").
 */
export function readDeadline(cannot: string, ms: number, closing: AbortSignal): Deadline {
  return {
    ms,
    timedOut: () => new ServiceUnavailableError(`${cannot}: the task datastore did not answer within ${ms} ms`),
    closing,
    closed: () => new ServiceUnavailableError(`${cannot}: the worker was closed`),
  };
}
