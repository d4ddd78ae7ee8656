import { setTimeout as sleep } from "node:timers/promises";
import type { EngineQueue } from "./engine.js";

export type TaskStatus = "queued" | "scheduled" | "running" | "completed" | "failed" | "aborted" | "not_found";

export type TaskResult<R> = { success: true; value: R } | { success: false; error: Error };

/** A failed run: `message` is the error the task threw (as recorded by the queue). */
export class TaskFailedError extends Error {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
    reason: string,
  ) {
    super(reason);
    this.name = "TaskFailedError";
  }
}

export class TaskAbortedError extends Error {
  constructor(readonly taskId: string, readonly taskName: string) {
    super(`Task ${taskName} (${taskId}) was aborted before it ran`);
    this.name = "TaskAbortedError";
  }
}

export class TaskTimeoutError extends Error {
  constructor(readonly taskId: string, readonly taskName: string, readonly lastStatus: TaskStatus) {
    super(`Task ${taskName} (${taskId}) did not finish in time (last status: ${lastStatus})`);
    this.name = "TaskTimeoutError";
  }
}

/** The queues a handle talks to: the task queue and the queue of abort markers. */
export interface HandleQueues {
  tasks(): Promise<EngineQueue>;
  abortMarkers(): Promise<EngineQueue>;
}

// Abort markers are jobs in a queue no worker consumes: durable, and stored in the
// same datastore as the tasks. BullMQ forbids integer-like ids and ":" in custom ids.
export const abortMarkerId = (taskId: string) => `aborted-${taskId}`;

const QUEUED_STATES = new Set(["waiting", "prioritized", "waiting-children", "paused"]);

/**
 * A queued task, by id. Cheap to rebuild from an id in another process
 * (`myTask.handle(id)`); every method asks the queue, nothing is cached.
 */
export class TaskHandle<R> {
  constructor(
    readonly id: string,
    readonly taskName: string,
    private readonly queues: HandleQueues,
  ) {}

  async status(): Promise<TaskStatus> {
    const job = await (await this.queues.tasks()).getJob(this.id);
    if (!job) return (await this.wasAborted()) ? "aborted" : "not_found";
    const state = await job.getState();
    if (state === "completed" || state === "failed") return state;
    if (state === "active") return "running";
    if (state === "delayed") return "scheduled";
    if (QUEUED_STATES.has(state)) return "queued";
    // "unknown": removed between the two reads.
    return (await this.wasAborted()) ? "aborted" : "not_found";
  }

  /**
   * Waits for the task to finish. Polls the job state rather than relying on queue
   * events alone: on the PostgreSQL backend completion events can be missed.
   * Rejects with TaskTimeoutError after `timeout` ms, and at once if the task does not exist.
   */
  async result({ timeout = 30_000 }: { timeout?: number } = {}): Promise<TaskResult<R>> {
    const deadline = Date.now() + timeout;
    let pause = 20;
    for (;;) {
      const job = await (await this.queues.tasks()).getJob(this.id);
      if (!job) {
        if (await this.wasAborted()) return { success: false, error: new TaskAbortedError(this.id, this.taskName) };
        throw new Error(`Task ${this.taskName} (${this.id}) not found: never queued, or its result has expired`);
      }
      const state = await job.getState();
      if (state === "completed" || state === "failed") {
        // Re-read: `job` may have been loaded just before it finished, without its outcome.
        const done = (await (await this.queues.tasks()).getJob(this.id)) ?? job;
        if (state === "completed") return { success: true, value: done.returnvalue as R };
        return { success: false, error: new TaskFailedError(this.id, this.taskName, done.failedReason) };
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new TaskTimeoutError(this.id, this.taskName, await this.status());
      await sleep(Math.min(pause, left));
      pause = Math.min(pause * 2, 500);
    }
  }

  /**
   * Aborts a task that has not started (queued or scheduled): it is removed and
   * will never run; returns true. Returns false when it is already running or
   * finished — cancelling a running task is not supported yet.
   */
  async abort(): Promise<boolean> {
    const tasks = await this.queues.tasks();
    const job = await tasks.getJob(this.id);
    if (!job) return false;
    const state = await job.getState();
    if (state !== "delayed" && !QUEUED_STATES.has(state)) return false;
    // Marker first, so status() never reports "not_found" for an aborted task.
    const markers = await this.queues.abortMarkers();
    await markers.add("aborted", { taskName: this.taskName }, {
      jobId: abortMarkerId(this.id),
      removeOnComplete: true,
    });
    // remove() refuses (0) when a worker holds the job's lock: it started running.
    if ((await tasks.remove(this.id)) === 1) return true;
    await markers.remove(abortMarkerId(this.id));
    return false;
  }

  private async wasAborted(): Promise<boolean> {
    const markers = await this.queues.abortMarkers();
    return (await markers.getJob(abortMarkerId(this.id))) !== undefined;
  }
}
