import { DeclarationError } from "@repo/core";
import { createWorker, settingProblems } from "@repo/core/tasks";
import { describe, expect, it } from "vitest";

/** What declaring this throws, or undefined. */
function declaring(declare: (worker: ReturnType<typeof createWorker>) => void): unknown {
  try {
    declare(createWorker({ queueName: "never-opened" }));
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("a task declared wrongly fails where it is declared, naming the task", () => {
  it.each<[string, (worker: ReturnType<typeof createWorker>) => void, string]>([
    [
      "a cron pattern out of range",
      (worker) => worker.cron("61 * * * *", "nightly", async () => 0),
      'Task "nightly": cron pattern "61 * * * *" cannot be read (Constraint error, got value 61 expected range 0-59). Use 5 fields',
    ],
    [
      "a cron pattern that is not one",
      (worker) => worker.cron("every day", "daily", async () => 0),
      'Task "daily": cron pattern "every day" cannot be read',
    ],
    [
      "an unknown time zone",
      (worker) => worker.cron("0 3 * * *", "nightly", async () => 0, { tz: "Mars/Olympus" }),
      'Task "nightly": time zone "Mars/Olympus" is not an IANA time zone',
    ],
    [
      "negative retries",
      (worker) => worker.task("t", async () => 0, { retries: -1 }),
      'Task "t": retries must be a non-negative integer, got -1',
    ],
    [
      "a fractional timeout",
      (worker) => worker.task("t", async () => 0, { timeout: 1.5 }),
      'Task "t": timeout must be a positive integer, got 1.5',
    ],
    [
      "a concurrency of zero",
      (worker) => worker.task("t", async () => 0, { concurrency: 0 }),
      'Task "t": concurrency must be a positive integer, got 0',
    ],
    [
      "a per-key concurrency without a whole limit",
      (worker) => worker.task("t", async (customer: string) => customer, { concurrency: { limit: 2.5, key: (customer) => customer } }),
      'Task "t": concurrency.limit must be a positive integer, got 2.5',
    ],
    [
      "a rate limit without a period",
      // @ts-expect-error: period is required
      (worker) => worker.task("t", async () => 0, { rateLimit: { limit: 3 } }),
      'Task "t": rateLimit.period must be a positive integer, got undefined',
    ],
    [
      "a limit key that is not a function",
      // @ts-expect-error: key is a function of the arguments
      (worker) => worker.task("t", async (customer: string) => customer, { rateLimit: { limit: 3, period: 1_000, key: "customer" } }),
      'Task "t": rateLimit.key must be a function of the task\'s arguments',
    ],
    [
      "the same name twice",
      (worker) => {
        worker.task("t", async () => 0);
        worker.task("t", async () => 1);
      },
      'Task "t" is registered twice',
    ],
  ])("%s", (_label, declare, message) => {
    const error = declaring(declare);
    expect(error).toBeInstanceOf(DeclarationError);
    expect((error as Error).message).toContain(message);
  });

  it("accepts what BullMQ accepts: 5 fields, 6 with seconds, aliases, time zones", () => {
    expect(
      declaring((worker) => {
        worker.cron("0 3 * * *", "a", async () => 0, { tz: "Europe/Paris" });
        worker.cron("*/10 * * * * *", "b", async () => 0);
        worker.cron("@daily", "c", async () => 0);
      }),
    ).toBeUndefined();
  });
});

describe("settings", () => {
  it("are read on first use, so importing and declaring never fail on configuration", () => {
    const previous = process.env.TASKS_CONCURRENCY;
    process.env.TASKS_CONCURRENCY = "abc";
    try {
      const worker = createWorker();
      worker.task("declared", async () => 0);
      expect(() => worker.settings).toThrow('TASKS_CONCURRENCY must be a number of tasks, got "abc"');
    } finally {
      if (previous === undefined) delete process.env.TASKS_CONCURRENCY;
      else process.env.TASKS_CONCURRENCY = previous;
    }
  });

  it("have every problem reported at once", () => {
    expect(
      settingProblems({
        TASKS_CONCURRENCY: "abc",
        TASKS_SHUTDOWN_GRACE_MS: "-5",
        TASKS_KEEP_RESULTS_MS: "1e3",
        HTTP_TIMEOUT_MS: "soon",
        WORKER_HEALTH_TIMEOUT_MS: "0",
      }),
    ).toEqual([
      'TASKS_CONCURRENCY must be a number of tasks, got "abc"',
      "Task worker setting shutdownGraceMs (TASKS_SHUTDOWN_GRACE_MS) must be a positive number, got -5",
      'HTTP_TIMEOUT_MS must be a number of milliseconds, got "soon"',
      "WORKER_HEALTH_TIMEOUT_MS must be a positive number of milliseconds, got 0",
    ]);
    expect(settingProblems({})).toEqual([]);
  });
});

describe("the shutdown grace", () => {
  it("is 25 s in production and 3 s otherwise, where tsx watch kills a reloading worker after 5 s", () => {
    const grace = () => createWorker({ queueName: "never-opened" }).settings.shutdownGraceMs;
    const previous = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = "production";
      expect(grace()).toBe(25_000);
      process.env.NODE_ENV = "development";
      expect(grace()).toBe(3_000);
    } finally {
      if (previous === undefined) delete process.env.NODE_ENV;
      else process.env.NODE_ENV = previous;
    }
  });
});
