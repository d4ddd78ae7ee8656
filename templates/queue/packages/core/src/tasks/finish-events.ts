import type { TaskQueueEvents } from "./datastore/index.js";

/** What an event says about a job: completed (with its result), or some other end worth a look (failed, removed). */
export type Finish = { completed: true; value: unknown } | { completed: false };

/** One job's finish events, for one `result()` call. */
export interface FinishWatch {
  /** Resolves with the next event about the job, or undefined after `ms`. */
  next(ms: number): Promise<Finish | undefined>;
  stop(): void;
}

// After a failed attempt to listen (datastore down), results are only polled for this long.
const REOPEN_AFTER_MS = 10_000;

/**
 * Tells `result()` calls when their job finishes, so they need not poll fast:
 * one BullMQ QueueEvents per queue per process, opened on the first watch and
 * shared by every watch. Events can be missed (BullMQ on PostgreSQL drops a
 * few under load; any listener misses what happens while it reconnects), so
 * callers keep polling the state as a safety net; `live` says whether events
 * are flowing, so they can poll less often.
 */
export class FinishEvents {
  private readonly watchers = new Map<string, Set<(finish: Finish) => void>>();
  private opening: Promise<TaskQueueEvents | undefined> | undefined;
  private events: TaskQueueEvents | undefined;
  private openFailedAt = 0;
  private closed = false;

  constructor(private readonly open: () => Promise<TaskQueueEvents>) {}

  get live(): boolean {
    return this.events !== undefined;
  }

  watch(id: string): FinishWatch {
    this.listen();
    let pending: Finish | undefined;
    let wake: ((finish: Finish) => void) | undefined;
    const onFinish = (finish: Finish) => {
      if (wake) wake(finish);
      else pending = finish;
    };
    const watchers = this.watchers.get(id) ?? new Set();
    this.watchers.set(id, watchers);
    watchers.add(onFinish);
    return {
      next: (ms) => {
        if (pending) {
          const finish = pending;
          pending = undefined;
          return Promise.resolve(finish);
        }
        return new Promise((resolve) => {
          const timer = setTimeout(() => {
            wake = undefined;
            resolve(undefined);
          }, ms);
          wake = (finish) => {
            wake = undefined;
            clearTimeout(timer);
            resolve(finish);
          };
        });
      },
      stop: () => {
        watchers.delete(onFinish);
        if (watchers.size === 0 && this.watchers.get(id) === watchers) this.watchers.delete(id);
      },
    };
  }

  /** Stops listening (the next watch would listen again). */
  async close(): Promise<void> {
    this.closed = true;
    const opening = this.opening;
    this.opening = this.events = undefined;
    await (await opening)?.close();
    this.closed = false;
  }

  private listen(): void {
    if (this.opening || this.closed || Date.now() - this.openFailedAt < REOPEN_AFTER_MS) return;
    const opening = this.open().then(
      (events) => {
        events.on("completed", ({ jobId, returnvalue }) => this.notify(jobId, { completed: true, value: returnvalue }));
        events.on("failed", ({ jobId }) => this.notify(jobId, { completed: false }));
        events.on("removed", ({ jobId }) => this.notify(jobId, { completed: false }));
        if (this.opening === opening) this.events = events;
        return events;
      },
      () => {
        // Unreachable for now (the datastore reports that once): poll only, try again later.
        if (this.opening === opening) this.opening = undefined;
        this.openFailedAt = Date.now();
        return undefined;
      },
    );
    this.opening = opening;
  }

  private notify(id: string, finish: Finish): void {
    const watchers = this.watchers.get(id);
    if (watchers) for (const onFinish of watchers) onFinish(finish);
  }
}
