import { runAsCurrent, type CurrentTask, type TaskProgress } from "./current.js";
import { tasksLog } from "./task-log.js";
import type { TaskJob } from "./datastore/index.js";

/**
 * One attempt of a task in this worker process; also what `worker.current()`
 * returns inside it (its internals are private fields, out of sight). Built for
 * the hot path, thousands per second: no AbortController until the task reads
 * its signal or is stopped, and no event listeners — whatever stops the attempt
 * (timeout, abort relay, shutdown) rejects it directly through `stop()`.
 */
export class RunningAttempt implements CurrentTask {
  readonly startedAt = Date.now();
  #job: TaskJob;
  #token: string | undefined;
  #controller: AbortController | undefined;
  #stopped = false;
  #stopReason: unknown;
  #reject: ((reason: unknown) => void) | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    job: TaskJob,
    token: string | undefined,
    readonly id: string,
    readonly name: string,
    readonly attempt: number,
  ) {
    this.#job = job;
    this.#token = token;
  }

  /** Fires when the attempt is stopped; created on first read (most tasks never read it). */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#stopped) this.#controller.abort(this.#stopReason);
    }
    return this.#controller.signal;
  }

  get stopped(): boolean {
    return this.#stopped;
  }

  /** Why the attempt was stopped (a TaskAbortedError, TaskRunTimeoutError or TaskReleasedError). */
  get stopReason(): unknown {
    return this.#stopReason;
  }

  /**
   * Runs the task function as the current task. Settles with its outcome, or
   * rejects with the stop reason as soon as `stop()` is called: a task that
   * ignores its signal keeps running in the background, but its attempt ends.
   */
  run(fn: (...args: unknown[]) => unknown, args: unknown[]): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.#reject = reject;
      if (this.#stopped) return reject(this.#stopReason);
      runAsCurrent(this, () => {
        try {
          const outcome = fn(...args);
          // Wired straight to the task's promise: one microtask fewer than resolve(promise).
          if (outcome instanceof Promise) outcome.then(resolve, reject);
          else resolve(outcome);
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  /** Stops the attempt with `makeReason()` after `ms`, unless it ends first (see `finish`). */
  stopAfter(ms: number, makeReason: () => unknown): void {
    this.#timer = setTimeout(() => this.stop(makeReason()), ms);
  }

  /** Fires the signal (if anyone holds it) and ends the attempt with `reason`; later calls do nothing. */
  stop(reason: unknown): void {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#stopReason = reason;
    this.#controller?.abort(reason);
    this.#reject?.(reason);
  }

  progress(value: TaskProgress): Promise<void> {
    return this.#job.updateProgress(value);
  }

  async log(line: string): Promise<void> {
    tasksLog().info(line);
    await this.#job.log(line);
  }

  /** Hands the job back to the queue (waiting again, for any worker). */
  handBack(): Promise<unknown> {
    return this.#job.moveToWait(this.#token);
  }

  /** The attempt is over: drops its timer. */
  finish(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }
}
