// One contender on a fresh queue, measured in four phases that the parent runs in
// lock-step with the other contender's (phase by phase, alternating who goes
// first), so both see the same machine at nearly the same moment:
//   enqueue    N tasks, `inflight` at a time, no worker running   → enqueue rate
//   drain      start one worker (concurrency C) on those N         → drain rate
//              (first task start → last task completed in the queue)
//   endToEnd   N more tasks while the worker runs                  → first enqueue → last completion
//   latency    `sample` tasks at a steady `rate`, each awaited     → enqueue→result p50/p95/p99
//              (core: handle.result(): queue events raced with a state poll;
//               raw: job.waitUntilFinished() on QueueEvents, see contenders.mjs)
// Enqueue and drain also report the process's round trips and CPU per task (usage.mjs),
// and a warm rate: over the tasks after the first quarter, once the process's JIT has
// compiled the hot path (a server enqueues warm; each round's processes start cold).
// "Completed" is read from the queue itself (BullMQ job counts), the same way for
// both, and only once every task has run, so the polling does not load the drain.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { startUsage } from "./usage.mjs";
import { openContender } from "./contenders.mjs";
// Raw queue access for job counts and clean-up, shared with the fault tests.
import { openRawQueue } from "../../test/support/raw-queue.ts";

// Hang guards only: a phase that takes longer than this is broken, not slow.
const PHASE_TIMEOUT_MS = 15 * 60_000;
const RESULT_TIMEOUT_MS = 60_000;

/**
 * Opens a contender on `queueName`; `run(phase)` measures one phase (in child.mjs PHASES order),
 * `close()` cleans up. Raw with `randomIds` is the reference that gives jobs unguessable ids.
 */
export function openSession(name, { datastore, queueName, options, randomIds, tasks = options.tasks, sample = options.sample }) {
  const contender = openContender(name, { datastore, queueName, concurrency: options.concurrency, randomIds });
  const inspector = openRawQueue(datastore, queueName);
  const progress = trackRuns();
  const warmup = Math.floor(tasks / 4);
  const completedAtLeast = async (target) => {
    await progress.ranAtLeast(target);
    const deadline = Date.now() + PHASE_TIMEOUT_MS;
    while ((await inspector.counts()).completed < target) {
      if (Date.now() > deadline) throw new Error(`${name}: ${target} tasks never completed on ${queueName}`);
      await sleep(2);
    }
    return performance.now();
  };
  const phases = {
    async enqueue() {
      const usage = startUsage();
      const start = performance.now();
      let done = 0;
      let warmAt = start;
      await inParallel(tasks, options.inflight, async (i) => {
        await contender.enqueue(i);
        if (++done === warmup) warmAt = performance.now();
      });
      const end = performance.now();
      return {
        enqueueRate: rate(tasks, start, end),
        enqueueRateWarm: rate(tasks - warmup, warmAt, end),
        enqueueUsage: usage(tasks),
      };
    },
    async drain() {
      const usage = startUsage();
      const warmAt = progress.ranAtLeast(warmup); // waiting before the worker starts: no run is missed
      await contender.startWorker(progress.onRun);
      const end = await completedAtLeast(tasks);
      return {
        drainRate: rate(tasks, progress.firstRunAt(), end),
        drainRateWarm: rate(tasks - warmup, await warmAt, end),
        drainUsage: usage(tasks),
      };
    },
    async endToEnd() {
      const start = performance.now();
      await inParallel(tasks, options.inflight, (i) => contender.enqueue(tasks + i));
      return { endToEndSeconds: ((await completedAtLeast(2 * tasks)) - start) / 1000 };
    },
    async latency() {
      await contender.prepareResults();
      const waits = await steadyLatency(contender, sample, options.rate);
      return {
        latencies: waits.map((wait) => wait.ms),
        // Raw only: results that came from the fallback poll because the completion event never arrived.
        missedEvents: name === "raw" ? waits.filter((wait) => wait.seenBy === "poll").length : 0,
      };
    },
  };
  return {
    run: (phase) => phases[phase](),
    async close() {
      await contender.close();
      await inspector.obliterate();
      await inspector.close();
      await obliterate(datastore, `${queueName}-aborted`);
    },
  };
}

/**
 * One contender's enqueue rate on an unconsumed queue: one add each (`inflight` at a
 * time) or, `batched`, in batches of `chunk` (core enqueueMany, raw addBulk); raw with
 * `randomIds` gives each job a random id, as the runtime does.
 */
export async function measureEnqueueOnly({ contender: name, randomIds, batched, datastore, queueName, options, chunk = 1_000 }) {
  const contender = openContender(name, { datastore, queueName, concurrency: options.concurrency, randomIds });
  try {
    const start = performance.now();
    if (!batched) await inParallel(options.tasks, options.inflight, (i) => contender.enqueue(i));
    for (let first = 0; batched && first < options.tasks; first += chunk) {
      await contender.enqueueBulk(Array.from({ length: Math.min(chunk, options.tasks - first) }, (_, k) => first + k));
    }
    return rate(options.tasks, start, performance.now());
  } finally {
    await contender.close();
    await obliterate(datastore, queueName);
    await obliterate(datastore, `${queueName}-aborted`);
  }
}

/** Counts task runs (called from inside the no-op task) and wakes whoever waits for a count, with when it was reached. */
function trackRuns() {
  let runs = 0;
  let first;
  const waiters = [];
  return {
    onRun() {
      const now = performance.now();
      runs++;
      first ??= now;
      for (let k = waiters.length - 1; k >= 0; k--) {
        if (runs >= waiters[k].target) waiters.splice(k, 1)[0].resolve(now);
      }
    },
    firstRunAt: () => first,
    ranAtLeast(target) {
      if (runs >= target) return Promise.resolve(performance.now());
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${runs}/${target} tasks ran in time`)), PHASE_TIMEOUT_MS);
        const done = (at) => {
          clearTimeout(timer);
          resolve(at);
        };
        waiters.push({ target, resolve: done });
      });
    },
  };
}

/** Starts one task every 1/rate s and awaits each one's result; returns [{ ms, seenBy }]. */
async function steadyLatency(contender, sample, rate) {
  const start = performance.now();
  const runs = [];
  for (let k = 0; k < sample; k++) {
    const due = start + (k * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    runs.push(
      (async () => {
        const begin = performance.now();
        const handle = await contender.enqueue(1_000_000 + k);
        const seenBy = await contender.waitForResult(handle, RESULT_TIMEOUT_MS);
        return { ms: performance.now() - begin, seenBy };
      })(),
    );
  }
  return Promise.all(runs);
}

/** Tasks per second: `count` tasks between two performance.now() readings. */
const rate = (count, start, end) => count / ((end - start) / 1000);

/** Runs fn(0..count-1) with at most `limit` calls in flight. */
async function inParallel(count, limit, fn) {
  let next = 0;
  const lane = async () => {
    while (next < count) await fn(next++);
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, lane));
}

async function obliterate(datastore, name) {
  const queue = openRawQueue(datastore, name);
  try {
    await queue.obliterate();
  } finally {
    await queue.close();
  }
}
