import { AggregatorRegistry, collectDefaultMetrics, Gauge, type PrometheusContentType, Registry } from "prom-client";

/** The histograms' bounds in seconds: from a millisecond no-op to a five-minute report. */
export const SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** How an attempt ended, as `task_attempts_total` counts it. */
export type AttemptOutcome = "completed" | "retried" | "failed" | "aborted" | "expired";

/**
 * The task runtime's Prometheus metrics in this process, for `GET /metrics`: what this
 * process queued, the attempts it ran (by task and outcome, with their durations and how
 * long tasks waited to start), the queue's tasks by state (read from the datastore at each
 * scrape, so every process reports the same), and Node's own process metrics. A server
 * reports what it queues; each worker, what it runs: scrape them all.
 *
 * The per-task series are plain numbers here, handed to prom-client at scrape time in the
 * metric objects its cluster mode passes between processes: prom-client's own Counter.inc()
 * and Histogram.observe() validate and hash their labels on every call (about 110 and
 * 190 ns), and three of them per task were the largest cost the runtime added to a task.
 */
export class TaskMetrics {
  readonly registry = new Registry();
  private readonly tasks = new Map<string, TaskTally>();
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
    this.tally(task).enqueued += count;
  }

  started(task: string, waitedMs: number): void {
    this.tally(task).wait.observe(Math.max(0, waitedMs) / 1000);
  }

  ended(task: string, outcome: AttemptOutcome, ranMs: number | undefined): void {
    const tally = this.tally(task);
    tally.attempts[outcome]++;
    if (ranMs !== undefined) tally.run.observe(Math.max(0, ranMs) / 1000);
  }

  /** The metrics in Prometheus's text format, with its content type. */
  async scrape(): Promise<{ contentType: string; text: string }> {
    // Node's process metrics from the first scrape on: a process that is never scraped
    // (a test, a script) does not watch its event loop and its garbage collector for nothing.
    if (!this.processMetrics) collectDefaultMetrics({ register: this.registry });
    this.processMetrics = true;
    const perTask = AggregatorRegistry.aggregate<PrometheusContentType>([this.perTaskMetrics()]);
    return { contentType: this.registry.contentType, text: await Registry.merge([perTask, this.registry]).metrics() };
  }

  private tally(task: string): TaskTally {
    let tally = this.tasks.get(task);
    if (!tally) {
      tally = new TaskTally();
      this.tasks.set(task, tally);
    }
    return tally;
  }

  /** The per-task series as prom-client's metric objects (`registry.getMetricsAsJSON()`'s shape). */
  private perTaskMetrics(): MetricObject[] {
    const tallies = [...this.tasks];
    const metric = (
      name: string,
      help: string,
      type: MetricObject["type"],
      samples: (task: string, tally: TaskTally, name: string) => Sample[],
    ) => ({
      name,
      help,
      type,
      aggregator: "sum" as const,
      values: tallies.flatMap(([task, tally]) => samples(task, tally, name)),
    });
    return [
      metric(
        "tasks_enqueued_total",
        "Tasks queued by this process (into the queue, or into the outbox in a transaction)",
        "counter",
        (task, { enqueued }) => (enqueued > 0 ? [{ labels: { task }, value: enqueued }] : []),
      ),
      metric(
        "task_attempts_total",
        "Attempts that ended in this process: completed, retried (failed, another attempt follows), failed (the last), aborted, expired",
        "counter",
        (task, { attempts }) =>
          Object.entries(attempts).flatMap(([outcome, value]) => (value > 0 ? [{ labels: { task, outcome }, value }] : [])),
      ),
      metric("task_run_duration_seconds", "How long attempts ran, in this process", "histogram", (task, { run }, name) =>
        run.samples(name, task),
      ),
      metric(
        "task_wait_seconds",
        "From when a task was due to its first start, for the tasks this process started",
        "histogram",
        (task, { wait }, name) => wait.samples(name, task),
      ),
    ];
  }
}

// prom-client's own types for these (MetricObject, MetricValueWithName) are not exported.
interface MetricObject {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  values: Sample[];
}

interface Sample {
  labels: Record<string, string | number>;
  value: number;
  metricName?: string;
}

/** What this process counted of one task. */
class TaskTally {
  enqueued = 0;
  readonly attempts: Record<AttemptOutcome, number> = { completed: 0, retried: 0, failed: 0, aborted: 0, expired: 0 };
  readonly run = new SecondsHistogram();
  readonly wait = new SecondsHistogram();
}

/** Durations counted in SECONDS_BUCKETS, as prom-client's Histogram counts them (a bound includes its value). */
class SecondsHistogram {
  /** Per bucket, not cumulative; the last is above every bound. */
  private readonly inBucket = new Array<number>(SECONDS_BUCKETS.length + 1).fill(0);
  private sum = 0;
  private count = 0;

  observe(seconds: number): void {
    let bucket = 0;
    while (bucket < SECONDS_BUCKETS.length && seconds > SECONDS_BUCKETS[bucket]!) bucket++;
    this.inBucket[bucket]!++;
    this.sum += seconds;
    this.count++;
  }

  /** Prometheus's histogram series for one task: cumulative buckets, sum and count; none before a first observation. */
  samples(name: string, task: string): Sample[] {
    if (this.count === 0) return [];
    let below = 0;
    const buckets = this.inBucket.map((count, bucket) => {
      below += count;
      return { labels: { le: SECONDS_BUCKETS[bucket] ?? "+Inf", task }, value: below, metricName: `${name}_bucket` };
    });
    return [
      ...buckets,
      { labels: { task }, value: this.sum, metricName: `${name}_sum` },
      { labels: { task }, value: this.count, metricName: `${name}_count` },
    ];
  }
}
