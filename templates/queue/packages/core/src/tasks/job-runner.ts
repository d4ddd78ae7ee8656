import { createBurstLog, describeError, isUnavailable } from "@repo/core";
import { DelayedError, UnrecoverableError, WaitingError } from "bullmq";
import { retryDelay, type BackoffOptions } from "./backoff.js";
import { AbortWatch } from "./abort-watch.js";
import { decodeArgs, decodeResult, encodeResult } from "./payload.js";
import type { CurrentTask } from "./current.js";
import { TaskAbortedError, TaskExpiredError, TaskReleasedError, TaskRunTimeoutError, toRecordableError } from "./errors.js";
import type { TaskJob, TaskQueue } from "./datastore/index.js";
import type { HeldSlot, LimitGate } from "./limit-gate.js";
import type { TaskLimits } from "./limits.js";
import { RunningAttempt } from "./running-attempt.js";
import { type AttemptEntry, RunningAttempts } from "./running-attempts.js";
import { tracedRun } from "./tracing.js";
import { taskFields, tasksLog } from "./task-log.js";

/** What the runner needs to know about a registered task. */
export interface RunnableTask {
  readonly fn: (...args: unknown[]) => unknown;
  /** Attempts in all (1 + retries), as the task declares them now. */
  readonly attempts: number;
  readonly timeout?: number;
  /** `concurrency` and `rateLimit`, across every worker process. */
  readonly limits?: TaskLimits;
  readonly backoff?: BackoffOptions;
  /** A cron whose runs may overlap (`overlap: true`); by default a tick is skipped while the previous run runs. */
  readonly overlap?: boolean;
}

export interface JobRunnerOptions {
  lookup(name: string): RunnableTask | undefined;
  tasks(): Promise<TaskQueue>;
  abortPollMs: number;
  limits: LimitGate;
  /** For the spans of each run (tracing.ts). */
  queueName: string;
  /** An attempt begins (past its limits): for metrics. */
  started(job: TaskJob): void;
  /** Code around every run (`worker.use`), outermost first; read at each run. */
  middleware: readonly TaskMiddleware[];
}

/** A middleware (`worker.use`): runs around every run of every task in a worker. */
export type TaskMiddleware = (run: TaskRun, next: () => Promise<unknown>) => Promise<unknown>;

/** What a middleware sees of the run it wraps. */
export interface TaskRun {
  /** The run, as `worker.current()` gives it inside the task. */
  readonly task: CurrentTask;
  /** The task's arguments, as it receives them. */
  readonly args: readonly unknown[];
}

// An attempt that met a dependency down (the database, a queue) goes back to the queue
// for about this long, without using one of the task's retries: a short outage must not
// use them all up and fail the task for good. Only while the task is due less than
// UNAVAILABLE_PATIENCE_MS: past that, a dependency that never answers (a wrong host, a
// service gone) fails attempts as any error does, so the task ends rather than loops.
const UNAVAILABLE_RETRY_MS = 2_000;
const UNAVAILABLE_PATIENCE_MS = 10 * 60_000;

/**
 * Runs one attempt of a queued task: the BullMQ processor. Adds what BullMQ lacks
 * per job: the abort relay (durable marker read at start and polled while running),
 * a per-attempt timeout, concurrency and rate limits per key (limit-gate.ts), capped
 * and jittered backoff, and handing tasks back on shutdown.
 */
export class JobRunner {
  private readonly running = new RunningAttempts();
  private readonly abortWatch: AbortWatch;
  // During an outage every task meets it: one line a burst, not one an attempt.
  private readonly logUnavailable = createBurstLog((line) => tasksLog().warn(line));

  constructor(private readonly options: JobRunnerOptions) {
    this.abortWatch = new AbortWatch(this.running, options.tasks, options.abortPollMs);
  }

  /**
   * The BullMQ processor. Two parameters on purpose: BullMQ builds an AbortController
   * per job for processors that declare a third (`signal`), and only `worker.cancelJob`
   * fires it, which the runtime never calls; each attempt has its own, lazily built, signal.
   */
  readonly process = (job: TaskJob, token?: string): Promise<unknown> => this.run(job, token);

  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Hands every running task back to the queue (waiting again, for any worker) and
   * fires its signal. Used when the shutdown grace period is over.
   */
  async releaseAll(): Promise<void> {
    await Promise.all(
      [...this.running].map(async (attempt) => {
        try {
          await attempt.handBack();
        } catch (error) {
          // Finished (or lost its lock) meanwhile: nothing to hand back.
          tasksLog().warn(`could not hand back ${attempt.name} (${attempt.id}): ${(error as Error).message}`);
        }
        attempt.stop(new TaskReleasedError(attempt.id));
      }),
    );
  }

  private async run(job: TaskJob, token: string | undefined): Promise<unknown> {
    const task = this.options.lookup(job.name);
    if (!task) {
      throw new UnrecoverableError(
        `Task "${job.name}" is not registered in this worker process. ` +
          `Import its module at the bottom of packages/app/src/tasks/worker.ts.`,
      );
    }
    const id = job.id ?? "?";
    const { data } = job;
    // The durable marker: aborted while running on a worker that has since died or restarted.
    if (data.abortRequestedAt) throw new TaskAbortedError(id, job.name);
    // Not started by its deadline: it does not run (a task that did start keeps its retries).
    if (data.expiresAt !== undefined && job.attemptsMade === 0 && Date.now() > data.expiresAt) {
      throw new TaskExpiredError(id, job.name, new Date(data.expiresAt));
    }
    // A cron tick while the previous run of the same schedule still runs, on any worker:
    // skipped (BullMQ's schedulers start a job every tick, whatever the last one is doing).
    if (job.repeatJobKey && !task.overlap) {
      const previous = await this.previousRunStillRunning(job);
      if (previous) {
        tasksLog().info(
          taskFields(job, job.attemptsMade + 1),
          `${job.name} (${id}) skipped: its previous run (${previous}) is still running`,
        );
        return undefined;
      }
    }
    // The task's retries as its code declares them now, whoever queued it (a producer that
    // enqueued it by name, an earlier deploy): BullMQ reads them from the job in memory.
    job.opts.attempts = task.attempts;

    // The attempt's place among the running ones, once it runs.
    let entry: AttemptEntry | undefined;
    let slot: HeldSlot | undefined;
    try {
      // A flow's parent gets its steps' results first, in the order they were given.
      const args = data.after ? [await stepResults(job, data.after), ...decodeArgs(data)] : decodeArgs(data);
      // Over a limit, the job is parked (DelayedError) and this attempt ends here.
      if (task.limits) slot = await this.options.limits.admit(job, token, task.limits, args);
      this.options.started(job);
      const attempt = new RunningAttempt(job, token, id, job.name, job.attemptsMade + 1);
      entry = this.running.add(attempt);
      this.abortWatch.wake();
      const timeout = task.timeout;
      if (timeout !== undefined) attempt.stopAfter(timeout, () => new TaskRunTimeoutError(id, job.name, timeout));
      const { middleware } = this.options;
      const fn = middleware.length === 0 ? task.fn : withMiddleware(task.fn, middleware, attempt);
      return encodeResult(await tracedRun(job, this.options.queueName, attempt.attempt, () => attempt.run(fn, args)));
    } catch (thrown) {
      if (thrown instanceof DelayedError) throw thrown;
      const attempt = entry?.attempt;
      const stopped = attempt?.stopped ?? false;
      const error = stopped ? attempt!.stopReason : thrown;
      // Already back in the queue: tell BullMQ not to record anything.
      if (error instanceof TaskReleasedError) throw new WaitingError();
      const dueAt = job.timestamp + (job.opts.delay ?? 0);
      if (isUnavailable(error) && !(error instanceof UnrecoverableError) && !stopped && Date.now() - dueAt < UNAVAILABLE_PATIENCE_MS) {
        const waitMs = Math.round(UNAVAILABLE_RETRY_MS * (1 + Math.random() / 2));
        this.logUnavailable(`${job.name} (${id}) could not run: ${describeError(error)}; trying again in ${(waitMs / 1000).toFixed(1)} s`);
        await job.moveToDelayed(Date.now() + waitMs, token);
        throw new DelayedError();
      }
      if (!(error instanceof UnrecoverableError)) {
        // BullMQ reads the wait before the next retry from the job in memory, right after this
        // throw; its built-in exponential backoff has no cap, so the runtime computes it here.
        job.opts.backoff = { type: "fixed", delay: retryDelay(job.attemptsMade + 1, task.backoff) };
      }
      throw toRecordableError(error);
    } finally {
      if (entry) {
        entry.attempt.finish();
        this.running.remove(entry);
      }
      if (slot) await this.options.limits.release(slot);
    }
  }

  /** The id of an earlier run of the same cron schedule that is running now, on any worker, if there is one. */
  private async previousRunStillRunning(job: TaskJob): Promise<string | undefined> {
    const running = await (await this.options.tasks()).getActive(0, -1);
    return running.find((other) => other.id !== job.id && other.repeatJobKey === job.repeatJobKey && other.timestamp <= job.timestamp)?.id;
  }
}

/** `fn` wrapped in the middleware, the first registered outermost. */
function withMiddleware(fn: RunnableTask["fn"], middleware: readonly TaskMiddleware[], task: CurrentTask): RunnableTask["fn"] {
  return (...args) => {
    const step = async (index: number): Promise<unknown> => {
      const layer = middleware[index];
      return layer ? layer({ task, args }, () => step(index + 1)) : fn(...args);
    };
    return step(0);
  };
}

/**
 * The results of a flow parent's steps, in order; `undefined` for a step that failed
 * (with `onChildFailure: "continue"`). BullMQ keys them by job key: "<prefix>:<queue>:<id>"
 * on Redis, "<queue>:<id>" on PostgreSQL; both end with ":<id>".
 */
async function stepResults(job: TaskJob, stepIds: readonly string[]): Promise<unknown[]> {
  const values = Object.entries(await job.getChildrenValues());
  return stepIds.map((id) => {
    const found = values.find(([key]) => key.endsWith(`:${id}`));
    return found && decodeResult(found[1]);
  });
}
