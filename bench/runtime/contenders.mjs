// The two contenders, behind one interface, on either datastore:
// - core: the generated project's runtime (`@repo/core/tasks`), used only through
//   its public API: createWorker, worker.task, enqueue, enqueueMany, handle.result, worker.run;
// - raw:  BullMQ used directly: Queue.add, Queue.addBulk, a Worker, job.waitUntilFinished.
// Both get the same connections (one per Queue/Worker; PostgreSQL pools of 4) and
// the job and worker options the runtime sets by default, so the difference
// measured is the runtime's own code.
//
// A contender: { name, enqueue(i), enqueueBulk(items), startWorker(onRun),
//   prepareResults(), waitForResult(handle, timeoutMs) → "event" | "poll", close() }.
//   `onRun` is called by the no-op task each time it runs. Raw opened with `randomIds`
//   gives each job an unguessable id, as the runtime does and BullMQ's counter ids do not
//   (a reference to measure against, not a contender).
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue, QueueEvents, Worker, createPostgresBackend, withBackend } from "bullmq";
import { Redis } from "ioredis";
// The runtime compiled to JavaScript by bench/runtime.mjs before any round (core-build.mjs).
import { createWorker } from "../.core-build/tasks.mjs";

const postgres = withBackend(createPostgresBackend);

// What the runtime gives every job and its consumer by default (worker.ts:
// jobOptions and run()); raw BullMQ gets the same so both store and lock alike.
const JOB_OPTIONS = { attempts: 1, removeOnComplete: { age: 24 * 3600 }, removeOnFail: { age: 7 * 24 * 3600 } };
const STALLED_INTERVAL = 10_000;
const WORKER_OPTIONS = { stalledInterval: STALLED_INTERVAL, lockDuration: 2 * STALLED_INTERVAL };

// Raw BullMQ's fallback when a completion event is missed (see waitForResult).
const MISSED_EVENT_POLL_MS = 250;

export function openContender(name, { datastore, queueName, concurrency, randomIds = false }) {
  return name === "core" ? openCore(datastore, queueName, concurrency) : openRaw(datastore, queueName, concurrency, randomIds);
}

function openCore(datastore, queueName, concurrency) {
  const worker = createWorker({ queueName, datastore, concurrency });
  let onRun = () => {};
  const noop = worker.task("noop", async (i) => {
    onRun();
    return i;
  });
  return {
    name: "core",
    enqueue: (i) => noop.enqueue(i),
    enqueueBulk: (items) => noop.enqueueMany(items.map((i) => [i])),
    async startWorker(callback) {
      onRun = callback;
      await worker.run({ handleSignals: false });
    },
    async prepareResults() {}, // result() needs nothing set up
    async waitForResult(handle, timeoutMs) {
      const result = await handle.result({ timeout: timeoutMs });
      if (!result.success) throw result.error;
      return "poll"; // result() races events and polling internally; missed events are counted for raw only
    },
    close: () => worker.close(),
  };
}

function openRaw(datastore, queueName, concurrency, randomIds) {
  const closers = [];
  // Same connection settings as the runtime's datastore (datastore.ts).
  const connection =
    datastore.kind === "redis"
      ? (blocking) => {
          const redis = new Redis(datastore.url, blocking ? { maxRetriesPerRequest: null } : {});
          closers.push(() => redis.quit());
          return redis;
        }
      : () => ({ connectionString: datastore.url, schema: "bullmq", migrate: true, max: 4 });
  const classes = datastore.kind === "redis" ? { Queue, Worker, QueueEvents } : postgres;
  const queue = new classes.Queue(queueName, { connection: connection(false) });
  const jobOptions = randomIds ? () => ({ ...JOB_OPTIONS, jobId: randomUUID() }) : () => JOB_OPTIONS;
  let worker;
  let events;
  return {
    name: "raw",
    enqueue: (i) => queue.add("noop", { args: [i] }, jobOptions()),
    enqueueBulk: (items) => queue.addBulk(items.map((i) => ({ name: "noop", data: { args: [i] }, opts: jobOptions() }))),
    async startWorker(onRun) {
      worker = new classes.Worker(
        queueName,
        async (job) => {
          onRun();
          return job.data.args[0];
        },
        { connection: connection(true), concurrency, ...WORKER_OPTIONS },
      );
      worker.on("error", (error) => console.error(`[raw] worker error: ${error.message}`));
      await worker.waitUntilReady();
    },
    async prepareResults() {
      events = new classes.QueueEvents(queueName, { connection: connection(true) });
      await events.waitUntilReady();
    },
    // On PostgreSQL, QueueEvents can miss a completion (seen here: 1 in a few
    // hundred, under concurrent load), so waitUntilFinished alone may wait out its
    // whole timeout. Raced with a slow poll of the job state, as any raw user would
    // have to; returns which one saw the finish, so missed events are counted.
    async waitForResult(job, timeoutMs) {
      let settled = false;
      const viaEvent = job.waitUntilFinished(events, timeoutMs).then(() => "event");
      viaEvent.catch(() => {}); // the poll may win; its rejection is then moot
      const viaPoll = (async () => {
        const deadline = Date.now() + timeoutMs;
        while (!settled && Date.now() < deadline) {
          await sleep(MISSED_EVENT_POLL_MS);
          const state = await queue.getJobState(job.id);
          if (state === "completed" || state === "failed") return "poll";
        }
        return new Promise(() => {}); // lost the race (or timed out: the event side rejects)
      })();
      try {
        return await Promise.race([viaEvent, viaPoll]);
      } finally {
        settled = true;
      }
    },
    async close() {
      await worker?.close();
      await events?.close();
      await queue.close();
      await Promise.all(closers.map((close) => close().catch(() => {})));
    },
  };
}
