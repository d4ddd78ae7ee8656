import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

// From a millisecond no-op to a five-minute report.
const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** How an attempt ended, as `task_attempts_total` counts it. */
export type AttemptOutcome = "completed" | "retried" | "failed" | "aborted" | "expired";

/**
 * The task runtime's Prometheus metrics in this process (prom-client), for `GET /metrics`:
 * what this process queued, the attempts it ran (by task and outcome, with their
 * durations and how long tasks waited to start), the queue's tasks by state (read from the
 * datastore at each scrape, so every process reports the same), and Node's own process
 * metrics. A server reports what it queues; each worker, what it runs: scrape them all.
 */
export class TaskMetrics {
  readonly registry = new Registry();
  private readonly enqueuedTotal = new Counter({
    name: "tasks_enqueued_total",
    help: "Tasks queued by this process (into the queue, or into the outbox in a transaction)",
    labelNames: ["task"],
    registers: [this.registry],
  });
  private readonly attemptsTotal = new Counter({
    name: "task_attempts_total",
    help: "Attempts that ended in this process: completed, retried (failed, another attempt follows), failed (the last), aborted, expired",
    labelNames: ["task", "outcome"],
    registers: [this.registry],
  });
  private readonly runSeconds = new Histogram({
    name: "task_run_duration_seconds",
    help: "How long attempts ran, in this process",
    labelNames: ["task"],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });
  private readonly waitSeconds = new Histogram({
    name: "task_wait_seconds",
    help: "From when a task was due to its first start, for the tasks this process started",
    labelNames: ["task"],
    buckets: SECONDS_BUCKETS,
    registers: [this.registry],
  });

  private processMetrics = false;

  constructor(countByState: () => Promise<Record<string, number>>) {
    new Gauge({
      name: "tasks",
      help: "Tasks in the queue by state (all processes; aborted and expired count as failed)",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        // A datastore that does not answer leaves the gauge out of this scrape rather than failing it.
        this.reset();
        const counts = await countByState().catch(() => undefined);
        for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
      },
    });
  }

  enqueued(task: string, count: number): void {
    this.enqueuedTotal.inc({ task }, count);
  }

  started(task: string, waitedMs: number): void {
    this.waitSeconds.observe({ task }, Math.max(0, waitedMs) / 1000);
  }

  ended(task: string, outcome: AttemptOutcome, ranMs: number | undefined): void {
    this.attemptsTotal.inc({ task, outcome });
    if (ranMs !== undefined) this.runSeconds.observe({ task }, Math.max(0, ranMs) / 1000);
  }

  /** The metrics in Prometheus's text format, with its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    // Node's process metrics from the first scrape on: a process that is never scraped
    // (a test, a script) does not watch its event loop and its garbage collector for nothing.
    if (!this.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.processMetrics = true;
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }
}
