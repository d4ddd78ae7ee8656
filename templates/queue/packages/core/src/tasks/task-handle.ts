import type { TaskProgress } from "./current.js";
import type { TaskJob, TaskQueue } from "./datastore/index.js";
import { readDeadline, withinDeadline } from "./deadline.js";
import { errorInfoFromJob, TaskAbortedError, TaskExpiredError, TaskFailedError, TaskTimeoutError } from "./errors.js";
import type { FinishEvents } from "./finish-events.js";
import type { Outbox } from "./outbox.js";
import { decodeResult } from "./payload.js";

export type TaskStatus = "queued" | "scheduled" | "running" | "completed" | "failed" | "aborted" | "expired" | "not_found";

/** What `handle.info()` tells of a task. */
export interface TaskInfo {
  id: string;
  name: string;
  status: TaskStatus;
  /** When it was queued (for a task enqueued in a transaction: when a worker queued it). */
  enqueuedAt?: Date;
  /** When its last attempt started. */
  startedAt?: Date;
  finishedAt?: Date;
  /** Attempts started so far (0 before the first). */
  attempts: number;
  /** The worker process that ran its last attempt ("<host>:<pid>"). */
  worker?: string;
  /** What it last reported with `worker.current().progress()`. */
  progress?: TaskProgress;
}

export type TaskResult<R> = { success: true; value: R } | { success: false; error: Error };

// Tasks aborted before they ran are removed; a marker job in a queue no worker
// consumes remembers them (durable, in the same datastore as the tasks).
// BullMQ forbids integer-like ids and ":" in custom ids.
export const abortMarkerId = (taskId: string) => `aborted-${taskId}`;

/** What an abort marker remembers of the task it stands for. */
export interface AbortMarker {
  taskName: string;
}

/** The queues a handle talks to: the task queue, the queue of abort markers, and the task queue's finish events. */
export interface HandleQueues {
  tasks(): Promise<TaskQueue>;
  abortMarkers(): Promise<TaskQueue<AbortMarker>>;
  finishes(): FinishEvents;
  /** Tasks enqueued in a transaction wait here until a worker queues them (none without an outbox database). */
  outbox(): Outbox | undefined;
  /** Fires when the worker these queues belong to starts closing them. */
  closing(): AbortSignal;
  /** How long a read may wait for the datastore (TASKS_ENQUEUE_TIMEOUT_MS). */
  timeoutMs(): number;
}

const QUEUED_STATES = new Set(["waiting", "prioritized", "waiting-children", "paused"]);

// How long past its deadline result() gives a read that does not answer before it gives up
// on it: enough for the two reads its own timeout path makes (the task's name and status).
const UNANSWERED_READ_GRACE_MS = 2_000;

// result() polls the state between events: fast while no events are heard (yet), sparsely
// once they flow (then a poll only catches the rare missed one). Doubling up to the cap.
const POLL_WITHOUT_EVENTS = { firstMs: 10, capMs: 250 };
const POLL_WITH_EVENTS = { firstMs: 25, capMs: 500 };

/** A failed task that was aborted (marker in its data, or failed with TaskAbortedError) reports "aborted". */
export function wasAbortedWhileRunning(job: TaskJob): boolean {
  return Boolean(job.data.abortRequestedAt) || errorInfoFromJob(job).name === "TaskAbortedError";
}

/** A failed task that never ran because it had not started by its deadline reports "expired". */
export function hasExpired(job: TaskJob): boolean {
  return errorInfoFromJob(job).name === "TaskExpiredError";
}

/** BullMQ starts every job at progress 0: "nothing reported yet" reads as undefined. */
function reportedProgress(job: TaskJob): TaskProgress | undefined {
  return job.progress === 0 ? undefined : (job.progress as TaskProgress);
}

/** How a task that ended in BullMQ's "failed" state really ended: failed, aborted, or expired. */
function failedState(job: TaskJob): "failed" | "aborted" | "expired" {
  if (wasAbortedWhileRunning(job)) return "aborted";
  return hasExpired(job) ? "expired" : "failed";
}

/**
 * A queued task, by id. Cheap to rebuild from an id in another process
 * (`myTask.handle(id)`, or `worker.handle(id)` for any task); every method asks
 * the queue, nothing is cached.
 */
export class TaskHandle<R> {
  constructor(
    readonly id: string,
    /** The task's name; undefined for a handle from `worker.handle(id)`, which looks it up where it needs it. */
    readonly taskName: string | undefined,
    private readonly queues: HandleQueues,
  ) {}

  /**
   * Where the task stands. Like every read of a handle (and abort()), rejects with
   * ServiceUnavailableError when the datastore does not answer within
   * TASKS_ENQUEUE_TIMEOUT_MS, and at once when the worker closes its queues meanwhile.
   */
  status(): Promise<TaskStatus> {
    return this.read("read the status of", () => this.readStatus());
  }

  private async readStatus(): Promise<TaskStatus> {
    // The outbox first: a task leaves it only once it is in the queue, so nothing falls in between.
    if (await this.queues.outbox()?.has(this.id)) return "queued";
    const job = await (await this.queues.tasks()).getJob(this.id);
    return job ? this.statusOf(job) : (await this.wasAbortedBeforeRunning()) ? "aborted" : "not_found";
  }

  /** The status of this task, read from its job. */
  private async statusOf(job: TaskJob): Promise<TaskStatus> {
    const state = await job.getState();
    if (state === "completed") return "completed";
    if (state === "failed") return failedState(job);
    if (state === "active") return "running";
    // "delayed" also covers the wait before a retry.
    if (state === "delayed") return "scheduled";
    if (QUEUED_STATES.has(state)) return "queued";
    // "unknown": removed between the two reads.
    return (await this.wasAbortedBeforeRunning()) ? "aborted" : "not_found";
  }

  /**
   * Waits for the task to finish: woken by the queue's events (one listener per
   * queue per process, opened on the first call) and polling its state as well,
   * since events can be missed (BullMQ on PostgreSQL drops a few; a listener
   * misses what happens while it reconnects). Rejects with TaskTimeoutError after
   * `timeout` ms, at once if the task does not exist, and at once when the worker
   * closes meanwhile. A failed task resolves with a TaskFailedError whose `error`
   * holds the name, message and stack of what the task threw; an aborted one with
   * TaskAbortedError.
   */
  result({ timeout = 30_000 }: { timeout?: number } = {}): Promise<TaskResult<R>> {
    return withinDeadline(() => this.waitForResult(timeout), {
      ms: timeout + UNANSWERED_READ_GRACE_MS,
      timedOut: () => new TaskTimeoutError(this.id, this.taskName ?? "task", "unknown (the task datastore did not answer)"),
      closing: this.queues.closing(),
      closed: () => new Error(`Stopped waiting for the result of task ${this.named}: the worker was closed`),
    });
  }

  private async waitForResult(timeout: number): Promise<TaskResult<R>> {
    const deadline = Date.now() + timeout;
    const tasks = await this.queues.tasks();
    const finishes = this.queues.finishes();
    // Watching before the first look: a finish in between is not missed.
    const watch = finishes.watch(this.id);
    try {
      let pause = POLL_WITHOUT_EVENTS.firstMs;
      for (;;) {
        const outcome = await this.outcome(tasks);
        if (outcome) return outcome;
        const left = deadline - Date.now();
        if (left <= 0) throw new TaskTimeoutError(this.id, await this.name(), await this.readStatus());
        const poll = finishes.live ? POLL_WITH_EVENTS : POLL_WITHOUT_EVENTS;
        pause = Math.min(Math.max(pause, poll.firstMs), poll.capMs);
        const finish = await watch.next(Math.min(pause, left));
        // A completion event carries the result; any other event is looked into by the next poll.
        if (finish?.completed) return { success: true, value: decodeResult(finish.value) as R };
        if (!finish) pause *= 2;
      }
    } finally {
      watch.stop();
    }
  }

  /** The task's outcome if it finished, undefined while it has not; throws if it does not exist. */
  private async outcome(tasks: TaskQueue): Promise<TaskResult<R> | undefined> {
    const state = await tasks.getJobState(this.id);
    if (state === "completed" || state === "failed") {
      const job = await tasks.getJob(this.id);
      if (job) {
        if (state === "completed") return { success: true, value: decodeResult(job.returnvalue) as R };
        const ended = failedState(job);
        if (ended === "aborted") return { success: false, error: new TaskAbortedError(this.id, job.name) };
        if (ended === "expired")
          return { success: false, error: new TaskExpiredError(this.id, job.name, new Date(job.data.expiresAt ?? 0)) };
        return { success: false, error: new TaskFailedError(this.id, job.name, errorInfoFromJob(job)) };
      }
      // Its result expired between the two reads: as if it were not found.
    } else if (state !== "unknown" || (await this.stillInOutbox(tasks))) {
      return undefined; // still to run (in the queue, or still in the outbox)
    }
    const marker = await this.abortMarker();
    if (marker) return { success: false, error: new TaskAbortedError(this.id, marker.data.taskName) };
    throw new Error(`Task ${this.named} not found: never queued, or its result has expired`);
  }

  /** What the task last reported with `worker.current().progress(…)`; undefined before it did (or once it is gone). */
  progress(): Promise<TaskProgress | undefined> {
    return this.read("read the progress of", async () => {
      const job = await (await this.queues.tasks()).getJob(this.id);
      return job && reportedProgress(job);
    });
  }

  /** The task's log lines (`worker.current().log(…)`), oldest first. */
  logs(): Promise<string[]> {
    return this.read("read the logs of", async () => (await (await this.queues.tasks()).getJobLogs(this.id, 0, -1, true)).logs);
  }

  /** When the task was queued, started and finished, its attempts and the worker that ran it; undefined if it is not found. */
  info(): Promise<TaskInfo | undefined> {
    return this.read("read", () => this.readInfo());
  }

  private async readInfo(): Promise<TaskInfo | undefined> {
    const job = await (await this.queues.tasks()).getJob(this.id);
    if (!job) {
      // In the outbox, or aborted before it ran: no job to tell more.
      const status = await this.readStatus();
      return status === "not_found" ? undefined : { id: this.id, name: await this.name(), status, attempts: 0 };
    }
    const status = await this.statusOf(job);
    if (status === "not_found") return undefined;
    const progress = reportedProgress(job);
    return {
      id: this.id,
      name: job.name,
      status,
      enqueuedAt: new Date(job.timestamp),
      ...(job.processedOn ? { startedAt: new Date(job.processedOn) } : {}),
      ...(job.finishedOn ? { finishedAt: new Date(job.finishedOn) } : {}),
      attempts: job.attemptsStarted ?? job.attemptsMade,
      ...(job.processedBy ? { worker: job.processedBy } : {}),
      ...(progress !== undefined ? { progress } : {}),
    };
  }

  /**
   * Aborts the task, from any process. Queued or scheduled: removed, it never
   * runs. Running: marked aborted in the queue; the worker holding it sees the
   * mark within TASKS_ABORT_POLL_MS, fires the task's AbortSignal and records it
   * as aborted (never retried, even if the task ignores its signal); a worker that
   * picks it up again (after a crash) honours the mark before running it.
   * Returns true when the task will not complete normally, false when it had
   * already finished (or does not exist).
   */
  abort(): Promise<boolean> {
    return this.read("abort", () => this.requestAbort());
  }

  private async requestAbort(): Promise<boolean> {
    const tasks = await this.queues.tasks();
    let job = await tasks.getJob(this.id);
    // A flow's parent: marked first (should it start once its steps are gone, it stops at
    // once), then its steps (waiting ones never run, running ones are signalled).
    const steps = job?.data.after;
    if (job && steps && (await job.getState()) === "waiting-children") {
      await job.updateData({ ...job.data, abortRequestedAt: Date.now() });
      await Promise.all(steps.map((id) => new TaskHandle(id, undefined, this.queues).requestAbort()));
    }
    if (!job) {
      // Still in the outbox (enqueued in a transaction): taken out, it never reaches the queue.
      const taskName = await this.queues.outbox()?.remove(this.id);
      if (taskName !== undefined) {
        await (await this.queues.abortMarkers()).add("aborted", { taskName }, { jobId: abortMarkerId(this.id) });
        return true;
      }
      job = await tasks.getJob(this.id); // a worker may have queued it meanwhile
      if (!job) return false;
    }
    const state = await job.getState();
    if (state === "delayed" || QUEUED_STATES.has(state)) {
      // Marker first, so status() never reports "not_found" for an aborted task.
      const markers = await this.queues.abortMarkers();
      await markers.add("aborted", { taskName: job.name }, { jobId: abortMarkerId(this.id) });
      // remove() refuses (0) when a worker holds the job's lock: it just started running.
      if ((await tasks.remove(this.id)) === 1) return true;
      await markers.remove(abortMarkerId(this.id));
    } else if (state !== "active") {
      return false; // completed, failed, or gone
    }
    await job.updateData({ ...job.data, abortRequestedAt: Date.now() });
    // It may have finished meanwhile: then the abort had no effect.
    return (await tasks.getJobState(this.id)) !== "completed";
  }

  /**
   * Whether a task the queue does not know is waiting in the outbox — or has just left it:
   * a worker queues it before taking it out, so a second look at the queue catches that.
   */
  private async stillInOutbox(tasks: TaskQueue): Promise<boolean> {
    const outbox = this.queues.outbox();
    return outbox !== undefined && ((await outbox.has(this.id)) || (await tasks.getJobState(this.id)) !== "unknown");
  }

  /** The marker of a task aborted before it ran (the task itself is gone), if it was. */
  private async abortMarker() {
    return (await this.queues.abortMarkers()).getJob(abortMarkerId(this.id));
  }

  private async wasAbortedBeforeRunning(): Promise<boolean> {
    return (await this.abortMarker()) !== undefined;
  }

  /** Runs a read (or abort) of this task within the datastore's deadline; `what` it does names it in the errors. */
  private read<T>(what: string, read: () => Promise<T>): Promise<T> {
    return withinDeadline(read, readDeadline(`Could not ${what} task ${this.named}`, this.queues.timeoutMs(), this.queues.closing()));
  }

  /** "sendWelcomeEmail (<id>)" in messages, or the id alone when the name is not known here. */
  private get named(): string {
    return this.taskName ? `${this.taskName} (${this.id})` : this.id;
  }

  /** The task's name, for messages: known, or read from the queue. */
  private async name(): Promise<string> {
    if (this.taskName !== undefined) return this.taskName;
    const job = await (await this.queues.tasks()).getJob(this.id);
    return job?.name ?? (await this.abortMarker())?.data.taskName ?? "task";
  }
}
