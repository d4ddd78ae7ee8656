import { TaskAbortedError } from "./errors.js";
import type { TaskQueue } from "./datastore/index.js";
import type { RunningAttempt } from "./running-attempt.js";
import type { RunningAttempts } from "./running-attempts.js";

/**
 * The worker side of the abort relay: `abort()` marks a running task in the
 * queue (same on Redis and PostgreSQL), and the worker holding it polls that
 * mark. One timer serves every running attempt, and only while some run: it
 * ticks every half period and checks the attempts running for at least half a
 * period, so a mark is seen within one period while short tasks (the bulk of a
 * busy queue) are never checked at all.
 */
export class AbortWatch {
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly checking = new Set<string>();

  constructor(
    private readonly running: RunningAttempts,
    private readonly tasks: () => Promise<TaskQueue>,
    private readonly periodMs: number,
  ) {}

  /** A task started: make sure the timer runs. */
  wake(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.periodMs / 2);
    this.timer.unref(); // never what keeps a process alive
  }

  private tick(): void {
    if (this.running.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    const startedBefore = Date.now() - this.periodMs / 2;
    for (const attempt of this.running) {
      if (attempt.startedAt <= startedBefore && !attempt.stopped && !this.checking.has(attempt.id)) void this.check(attempt);
    }
  }

  private async check(attempt: RunningAttempt): Promise<void> {
    this.checking.add(attempt.id);
    try {
      const job = await (await this.tasks()).getJob(attempt.id);
      if (job?.data.abortRequestedAt) attempt.stop(new TaskAbortedError(attempt.id, attempt.name));
    } catch {
      // The datastore is unreachable: the next tick tries again.
    } finally {
      this.checking.delete(attempt.id);
    }
  }
}
