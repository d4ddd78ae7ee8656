import { ServiceUnavailableError } from "@repo/core";
import { UnrecoverableError } from "bullmq";

/** What the runtime keeps of an error thrown by a task: enough to report it, nothing live. */
export interface TaskErrorInfo {
  name: string;
  message: string;
  stack: string;
}

/** A task ended in failure; `error` is what it threw on its last attempt. */
export class TaskFailedError extends Error {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
    readonly error: TaskErrorInfo,
  ) {
    super(error.message);
    this.name = "TaskFailedError";
  }
}

/**
 * The task was aborted (`handle.abort()`): before it ran, or while running.
 * Extends BullMQ's UnrecoverableError so an aborted attempt is never retried.
 */
export class TaskAbortedError extends UnrecoverableError {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
  ) {
    super(`Task ${taskName} (${taskId}) was aborted`);
    this.name = "TaskAbortedError";
  }
}

/**
 * The task had not started by its deadline (`with({ expire })`), so it never ran. Extends
 * UnrecoverableError: an expired task is not retried.
 */
export class TaskExpiredError extends UnrecoverableError {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
    readonly expiredAt: Date,
  ) {
    super(`Task ${taskName} (${taskId}) expired: it had not started by ${expiredAt.toISOString()}, so it did not run`);
    this.name = "TaskExpiredError";
  }
}

/**
 * `enqueue()` could not queue the task: the datastore is down or did not answer within
 * TASKS_ENQUEUE_TIMEOUT_MS. The task is not known to be queued (one that timed out may
 * still arrive: pass your own `id` to make a retry idempotent).
 */
export class TaskEnqueueError extends ServiceUnavailableError {
  constructor(
    readonly taskName: string,
    reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Task ${taskName} could not be queued: ${reason}`, options);
    this.name = "TaskEnqueueError";
  }
}

/** `result({ timeout })` gave up waiting; the task itself may still finish later. */
export class TaskTimeoutError extends Error {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
    readonly lastStatus: string,
  ) {
    super(`Task ${taskName} (${taskId}) did not finish in time (last status: ${lastStatus})`);
    this.name = "TaskTimeoutError";
  }
}

/** One attempt ran longer than the task's `timeout`: its signal fired and the attempt failed (retried if retries remain). */
export class TaskRunTimeoutError extends Error {
  constructor(
    readonly taskId: string,
    readonly taskName: string,
    readonly timeoutMs: number,
  ) {
    super(`Task ${taskName} (${taskId}) timed out after ${timeoutMs} ms`);
    this.name = "TaskRunTimeoutError";
  }
}

/** The worker is shutting down and handed the task back to the queue: the signal's reason, never a recorded failure. */
export class TaskReleasedError extends Error {
  constructor(readonly taskId: string) {
    super(`Task ${taskId} was released by a worker shutting down; another worker will run it`);
    this.name = "TaskReleasedError";
  }
}

/**
 * BullMQ records a failure as `failedReason` (the message) and the error's stack.
 * Makes sure that stack starts with "<name>: <message>", so the name survives too
 * (V8 writes the header when the error is built, before a subclass sets its name).
 */
export function toRecordableError(thrown: unknown): Error {
  const error =
    thrown instanceof Error ? thrown : new Error(typeof thrown === "string" ? thrown : (JSON.stringify(thrown) ?? String(thrown)));
  const header = `${error.name}: ${error.message}`;
  const stack = error.stack ?? "";
  if (!stack.startsWith(header)) {
    const frames = stack.split("\n").filter((line) => /^\s+at /.test(line));
    try {
      error.stack = [header, ...frames].join("\n");
    } catch {
      // A frozen error keeps its stack; the name falls back to what the header says.
    }
  }
  return error;
}

/** Rebuilds name, message and stack from what the queue recorded (see toRecordableError). */
export function errorInfoFromJob(job: { failedReason?: string; stacktrace?: string[] | null }): TaskErrorInfo {
  const message = job.failedReason ?? "";
  const stack = job.stacktrace?.filter(Boolean).at(-1) ?? "";
  const name = /^([\w$.]+): /.exec(stack)?.[1] ?? "Error";
  return { name, message, stack };
}
