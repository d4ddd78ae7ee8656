import { DelayedError, UnrecoverableError, WaitingError } from "bullmq";
import { retryDelay, type BackoffOptions } from "./backoff.js";
import { runAsCurrent } from "./current.js";
import type { TaskJob } from "./engine.js";
import { TaskAbortedError, TaskReleasedError, TaskRunTimeoutError, toRecordableError } from "./errors.js";
import type { RuntimeJobData, TaskQueue } from "./queue-api.js";

/** What the runner needs to know about a registered task. */
export interface RunnableTask {
  readonly fn: (...args: unknown[]) => unknown;
  readonly timeout?: number;
  readonly concurrency?: number;
  readonly backoff?: BackoffOptions;
}

export interface JobRunnerOptions {
  lookup(name: string): RunnableTask | undefined;
  tasks(): Promise<TaskQueue>;
  abortPollMs: number;
}

interface RunningJob {
  readonly job: TaskJob;
  readonly token: string | undefined;
  readonly controller: AbortController;
}

// When a task is at its concurrency limit in this process, a job of it goes back
// to the queue for about this long instead of holding a worker slot.
const LIMITED_RETRY_MS = 250;

/**
 * Runs one attempt of a queued task: the BullMQ processor. Adds what BullMQ lacks
 * per job: the abort relay (durable marker read at start and polled while running),
 * a per-attempt timeout, a per-task concurrency limit, capped and jittered backoff,
 * and handing tasks back on shutdown.
 */
export class JobRunner {
  private readonly running = new Map<string, RunningJob>();
  private readonly perTask = new Map<string, number>();

  constructor(private readonly options: JobRunnerOptions) {}

  /** The BullMQ processor. Three parameters: BullMQ hands a signal only to processors that declare it. */
  readonly process = (job: TaskJob, token?: string, signal?: AbortSignal): Promise<unknown> => this.run(job, token, signal);

  get runningCount(): number {
    return this.running.size;
  }

  /**
   * Hands every running task back to the queue (waiting again, for any worker) and
   * fires its signal. Used when the shutdown grace period is over.
   */
  async releaseAll(): Promise<void> {
    await Promise.all(
      [...this.running.values()].map(async ({ job, token, controller }) => {
        try {
          await job.moveToWait(token);
        } catch (error) {
          // Finished (or lost its lock) meanwhile: nothing to hand back.
          console.error(`[tasks] could not hand back ${job.name} (${job.id}): ${(error as Error).message}`);
        }
        controller.abort(new TaskReleasedError(job.id ?? "?"));
      }),
    );
  }

  private async run(job: TaskJob, token: string | undefined, bullSignal: AbortSignal | undefined): Promise<unknown> {
    const task = this.options.lookup(job.name);
    if (!task) {
      throw new UnrecoverableError(
        `Task "${job.name}" is not registered in this worker process. ` +
          `Import its module at the bottom of packages/app/src/tasks/worker.ts.`,
      );
    }
    const id = job.id ?? "?";
    const data = job.data as RuntimeJobData;
    // The durable marker: aborted while running on a worker that has since died or restarted.
    if (data.abortRequestedAt) throw new TaskAbortedError(id, job.name);

    const limit = task.concurrency;
    const runningOfTask = this.perTask.get(job.name) ?? 0;
    if (limit !== undefined && runningOfTask >= limit) {
      await job.moveToDelayed(Date.now() + Math.round(LIMITED_RETRY_MS * (1 + Math.random())), token);
      throw new DelayedError();
    }
    this.perTask.set(job.name, runningOfTask + 1);

    const controller = new AbortController();
    const entry: RunningJob = { job, token, controller };
    this.running.set(id, entry);
    const stopped = new Promise<never>((_, reject) =>
      controller.signal.addEventListener("abort", () => reject(controller.signal.reason), { once: true }),
    );
    const onBullAbort = () => controller.abort(new TaskAbortedError(id, job.name));
    bullSignal?.addEventListener("abort", onBullAbort, { once: true });
    const timer =
      task.timeout === undefined
        ? undefined
        : setTimeout(() => controller.abort(new TaskRunTimeoutError(id, job.name, task.timeout!)), task.timeout);
    const poller = setInterval(() => void this.checkAborted(id, job.name, controller), this.options.abortPollMs);
    try {
      const current = { id, name: job.name, attempt: job.attemptsMade + 1, signal: controller.signal };
      const attempt = Promise.resolve().then(() => runAsCurrent(current, () => task.fn(...(data.args ?? []))));
      // A task that ignores its signal keeps running in the background, but its attempt ends now.
      return await Promise.race([attempt, stopped]);
    } catch (thrown) {
      const error = controller.signal.aborted ? controller.signal.reason : thrown;
      // Already back in the queue: tell BullMQ not to record anything.
      if (error instanceof TaskReleasedError) throw new WaitingError();
      if (!(error instanceof UnrecoverableError)) {
        // BullMQ reads the wait before the next retry from the job in memory, right after this
        // throw; its built-in exponential backoff has no cap, so the runtime computes it here.
        job.opts.backoff = { type: "fixed", delay: retryDelay(job.attemptsMade + 1, task.backoff) };
      }
      throw toRecordableError(error);
    } finally {
      clearTimeout(timer);
      clearInterval(poller);
      bullSignal?.removeEventListener("abort", onBullAbort);
      this.running.delete(id);
      this.perTask.set(job.name, (this.perTask.get(job.name) ?? 1) - 1);
    }
  }

  /** The relay: a worker polls the abort marker of the tasks it holds (same on Redis and PostgreSQL). */
  private async checkAborted(id: string, name: string, controller: AbortController): Promise<void> {
    if (controller.signal.aborted) return;
    try {
      const job = await (await this.options.tasks()).getJob(id);
      if ((job?.data as RuntimeJobData | undefined)?.abortRequestedAt) controller.abort(new TaskAbortedError(id, name));
    } catch {
      // The datastore is unreachable: the next poll tries again.
    }
  }
}
