import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createWorker, type TaskHandle, type TaskStatus } from "@repo/core/tasks";
import { openLedger, type Ledger, type LedgerSummary } from "./support/faults/ledger.js";
import { RECORD_TASK, type FaultWorkerConfig } from "./support/faults/protocol.js";
import { openRawQueue } from "./support/raw-queue.js";
import { spawnFaultWorker, type FaultWorker } from "./support/faults/spawn.js";
import { datastores, stopEmbeddedDatastore, type Datastore } from "./support/datastores.js";

const TASKS = 2_000;
// Small but real async work per task, so a worker always holds tasks mid-run.
const TASK_MS = 5;
const CONCURRENCY = 10;
// Stop worker A once this many tasks ran: well inside the run, with most still queued.
const STOP_AFTER = 300;

// Hang guards. Recovering a killed worker's tasks waits for their locks to expire,
// then for a stalled-job check of the surviving worker: seconds with the workers'
// TASKS_STALLED_INTERVAL_MS of 2 s (see spawn.ts), up to a minute with BullMQ's
// defaults (lockDuration and stalledInterval 30 s) if that setting is not applied.
const READY_TIMEOUT = 60_000;
const FINISH_TIMEOUT = 150_000;
const TEST_TIMEOUT = 240_000;

const runId = `${process.pid}-${Date.now().toString(36)}`;
afterAll(stopEmbeddedDatastore);

for (const store of datastores) {
  describe.skipIf(store.skip)(`faults on ${store.name}`, () => {
    let url: string;
    beforeAll(async () => {
      url = await store.url();
    });

    it(
      `a worker killed with SIGKILL mid-run loses none of ${TASKS} tasks: a second worker finishes them`,
      async () => {
        await withScenario(store, url, "kill", async (scenario) => {
          const a = await startWorkerA(scenario);
          a.signal("SIGKILL");
          expect(await a.exited).toMatchObject({ signal: "SIGKILL" });

          const atKill = await scenario.ledger.distinct();
          const left = await scenario.raw.counts();
          // Killed mid-run: tasks were still queued, and some were held (active) by A.
          expect(atKill).toBeLessThan(TASKS);
          expect(left.active).toBeGreaterThan(0);

          const b = scenario.spawn("B");
          await withTimeout(b.ready, READY_TIMEOUT, "worker B to start", b);
          // B runs the queued tasks at once, and A's held tasks once BullMQ finds them stalled.
          await scenario.waitForDistinct(TASKS, "worker B to finish every task", b);
          const summary = await scenario.finish(b);
          report(store, "SIGKILL", summary, { killedWhileHolding: left.active, doneBeforeKill: atKill });

          expect(summary.distinct).toBe(TASKS);
          expect(summary.runs).toBeGreaterThanOrEqual(TASKS); // at-least-once: duplicates are allowed
          expect(summary.byWorker.A).toBeGreaterThan(0);
          expect(summary.byWorker.B).toBeGreaterThan(0);
        });
      },
      TEST_TIMEOUT,
    );

    it(
      `SIGTERM under load: the worker finishes what it holds and exits 0; none of ${TASKS} tasks is lost`,
      async () => {
        await withScenario(store, url, "term", async (scenario) => {
          const a = await startWorkerA(scenario);
          a.signal("SIGTERM");
          const exit = await withTimeout(a.exited, FINISH_TIMEOUT, "worker A to shut down", a);
          expect(exit, a.output()).toEqual({ code: 0, signal: null });

          // Nothing left held by A: it finished (or released) every task it had taken.
          const left = await scenario.raw.counts();
          expect(left.active).toBe(0);
          expect(await scenario.ledger.distinct()).toBeLessThan(TASKS);

          const b = scenario.spawn("B");
          await withTimeout(b.ready, READY_TIMEOUT, "worker B to start", b);
          await scenario.waitForDistinct(TASKS, "worker B to finish every task", b);
          const summary = await scenario.finish(b);
          report(store, "SIGTERM", summary, { doneByA: summary.byWorker.A ?? 0 });

          expect(summary.distinct).toBe(TASKS);
          // A graceful stop interrupts no task, so none runs twice.
          expect(summary.duplicates).toBe(0);
          expect(summary.byWorker.A).toBeGreaterThan(0);
          expect(summary.byWorker.B).toBeGreaterThan(0);
        });
      },
      TEST_TIMEOUT,
    );
  });
}

interface Scenario {
  ledger: Ledger;
  raw: ReturnType<typeof openRawQueue>;
  spawn(label: string): FaultWorker;
  /** Polls the ledger until `count` distinct tasks ran (hang guard: FINISH_TIMEOUT). */
  waitForDistinct(count: number, what: string, worker: FaultWorker): Promise<void>;
  /**
   * Checks through the runtime's own handles that every task completed, stops
   * `worker` with SIGTERM (expecting exit 0), and returns the ledger summary.
   */
  finish(worker: FaultWorker): Promise<LedgerSummary>;
}

/** Queues TASKS `record` tasks on a fresh queue, runs `body`, then stops workers and cleans up. */
/** Starts worker A and lets it run some of the tasks, so a fault hits it mid-run. */
async function startWorkerA(scenario: Scenario): Promise<FaultWorker> {
  const a = scenario.spawn("A");
  await withTimeout(a.ready, READY_TIMEOUT, "worker A to start", a);
  await scenario.waitForDistinct(STOP_AFTER, "worker A to run some tasks", a);
  return a;
}

async function withScenario(store: Datastore, url: string, kind: string, body: (scenario: Scenario) => Promise<void>): Promise<void> {
  const queueName = `faults-${kind}-${store.name.replace(/\W+/g, "-").toLowerCase()}-${runId}`;
  const datastore: FaultWorkerConfig["datastore"] = url.startsWith("redis") ? { kind: "redis", url } : { kind: "postgres", url };
  const ledger = openLedger({ url, name: queueName });
  const raw = openRawQueue(datastore, queueName);
  const producer = createWorker({ queueName, datastore });
  // Never run here: the producer only needs the task's name to queue it.
  const record = producer.task(RECORD_TASK, async (taskId: number) => taskId);
  const workers: FaultWorker[] = [];
  try {
    await ledger.create();
    const handles = await mapLimit(
      Array.from({ length: TASKS }, (_, index) => index),
      50,
      (taskId) => record.enqueue(taskId),
    );
    expect(new Set(handles.map((handle) => handle.id)).size).toBe(TASKS);

    await body({
      ledger,
      raw,
      spawn(label) {
        const worker = spawnFaultWorker({
          label,
          queueName,
          datastore,
          ledger: { url, name: queueName },
          concurrency: CONCURRENCY,
          taskMs: TASK_MS,
        });
        workers.push(worker);
        return worker;
      },
      async waitForDistinct(count, what, worker) {
        const deadline = Date.now() + FINISH_TIMEOUT;
        while ((await ledger.distinct()) < count) {
          if (Date.now() > deadline) {
            throw new Error(`timed out waiting for ${what} (${await ledger.distinct()}/${count} ran):\n${worker.output()}`);
          }
          await sleep(20);
        }
      },
      async finish(worker) {
        // Tasks a killed worker held may have run already (the ledger has them) and still be
        // active until the survivor's stalled-job check hands them back: wait for that too.
        const deadline = Date.now() + FINISH_TIMEOUT;
        let statuses = await mapLimit(handles, 50, (handle: TaskHandle<number>) => handle.status());
        while (statuses.some((status) => status !== "completed") && Date.now() < deadline) {
          await sleep(250);
          statuses = await mapLimit(handles, 50, (handle: TaskHandle<number>) => handle.status());
        }
        expect(tally(statuses)).toEqual({ completed: TASKS });
        worker.signal("SIGTERM");
        const exit = await withTimeout(worker.exited, FINISH_TIMEOUT, `worker ${worker.label} to shut down`, worker);
        expect(exit, worker.output()).toEqual({ code: 0, signal: null });
        return ledger.summary();
      },
    });
  } finally {
    for (const worker of workers) worker.signal("SIGKILL"); // only those still running
    await Promise.all(workers.map((worker) => worker.exited));
    await producer.close();
    await raw.close();
    for (const name of [queueName, `${queueName}-aborted`]) {
      const queue = openRawQueue(datastore, name);
      await queue.obliterate().catch((error: unknown) => console.warn(`could not obliterate ${name}:`, error));
      await queue.close();
    }
    await ledger.drop();
    await ledger.close();
  }
}

function report(store: Datastore, fault: string, summary: LedgerSummary, extra: Record<string, number>): void {
  const details = Object.entries({ ...extra, ...summary.byWorker }).map(([key, value]) => `${key}=${value}`);
  console.log(
    `[faults] ${store.name}, ${fault}: ${summary.distinct}/${TASKS} tasks ran, ${summary.runs} runs, ` +
      `${summary.duplicates} duplicate(s) (at-least-once); ${details.join(", ")}`,
  );
}

function tally(values: TaskStatus[]): Partial<Record<TaskStatus, number>> {
  const counts: Partial<Record<TaskStatus, number>> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string, worker: FaultWorker): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}:\n${worker.output()}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
