import { Counter, Histogram, Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { type AttemptOutcome, SECONDS_BUCKETS, TaskMetrics } from "../../templates/queue/packages/core/src/tasks/metrics.js";

/** The same series kept by prom-client's own Counter and Histogram, as the runtime kept them before. */
function promClientReference() {
  const registers = [new Registry()];
  const enqueued = new Counter({ name: "tasks_enqueued_total", help: "h", labelNames: ["task"], registers });
  const attempts = new Counter({ name: "task_attempts_total", help: "h", labelNames: ["task", "outcome"], registers });
  const run = new Histogram({ name: "task_run_duration_seconds", help: "h", labelNames: ["task"], buckets: SECONDS_BUCKETS, registers });
  const wait = new Histogram({ name: "task_wait_seconds", help: "h", labelNames: ["task"], buckets: SECONDS_BUCKETS, registers });
  return {
    registry: registers[0]!,
    enqueued: (task: string, count: number) => enqueued.inc({ task }, count),
    started: (task: string, waitedMs: number) => wait.observe({ task }, Math.max(0, waitedMs) / 1000),
    ended: (task: string, outcome: AttemptOutcome, ranMs: number | undefined) => {
      attempts.inc({ task, outcome });
      if (ranMs !== undefined) run.observe({ task }, Math.max(0, ranMs) / 1000);
    },
  };
}

/** A scrape's samples, `name{labels} value` lines without HELP and TYPE, in a stable order. */
const samplesOf = (text: string) =>
  text
    .split("\n")
    .filter((line) => /^tasks?_/.test(line) && !line.startsWith("tasks{"))
    .sort();

describe("a task runtime's metrics", () => {
  it("scrape the same series as prom-client's Counter and Histogram fed the same calls: buckets (bounds included), sums, counts, no series before a first observation", async () => {
    const metrics = new TaskMetrics(async () => ({ queued: 1 }));
    const reference = promClientReference();
    const calls: ["enqueued" | "started" | "ended", ...unknown[]][] = [
      ["enqueued", "emails.welcome", 3],
      ["enqueued", "reports.daily", 1],
      ["started", "emails.welcome", 4],
      ["started", "emails.welcome", 5], // on a bound (0.005 s): counted in it
      ["started", "emails.welcome", -2], // a clock behind the datastore's: 0
      ["started", "reports.daily", 400_000], // above every bound
      ["ended", "emails.welcome", "completed", 12],
      ["ended", "emails.welcome", "retried", 250],
      ["ended", "emails.welcome", "failed", 2_600],
      ["ended", "reports.daily", "expired", undefined],
    ];
    for (const [method, ...args] of calls) {
      (metrics[method] as (...a: unknown[]) => void)(...args);
      (reference[method] as (...a: unknown[]) => void)(...args);
    }
    const { contentType, text } = await metrics.scrape();
    expect(contentType).toBe(reference.registry.contentType);
    const ours = samplesOf(text);
    expect(ours).toEqual(samplesOf(await reference.registry.metrics()));
    // Spot checks on what the comparison rests on.
    expect(ours).toContain('task_wait_seconds_bucket{le="0.005",task="emails.welcome"} 3');
    expect(ours).toContain('task_wait_seconds_bucket{le="300",task="reports.daily"} 0');
    expect(ours).toContain('task_attempts_total{task="reports.daily",outcome="expired"} 1');
    expect(ours.filter((line) => line.startsWith("task_run_duration_seconds_count"))).toEqual([
      'task_run_duration_seconds_count{task="emails.welcome"} 3',
    ]);
    // The queue's gauge and Node's own metrics are still there.
    expect(text).toMatch(/^tasks\{state="queued"\} 1$/m);
    expect(text).toMatch(/^# TYPE task_wait_seconds histogram$/m);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
  });

  it("a process that queued nothing and ran nothing scrapes no per-task series, only their HELP and TYPE", async () => {
    const { text } = await new TaskMetrics(async () => ({})).scrape();
    expect(samplesOf(text)).toEqual([]);
    expect(text).toMatch(/^# TYPE tasks_enqueued_total counter$/m);
  });
});
