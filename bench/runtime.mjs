#!/usr/bin/env node
// Benchmarks the generated project's task runtime (`@repo/core/tasks`, in place in
// templates/) against raw BullMQ, on the same datastore in the same run: Redis and
// the machine's PostgreSQL. In each round both contenders run in processes of their
// own on fresh queues, in lock-step phase by phase, alternating who goes first, so
// both see the same machine. Raw BullMQ with random job ids (the runtime gives every
// task an unguessable id) runs beside them as a reference in the enqueue and drain
// phases. Prints, per datastore, the medians over the rounds (latency percentiles over
// all samples), core/raw, core against the random-id reference, and the per-round spread.
// See bench/runtime/measure.mjs for what each figure measures.
//
//   node bench/runtime.mjs [--tasks 20000] [--rounds 3] [--datastore redis|postgres|all]
//   node bench/runtime.mjs --help          (all options)
import os from "node:os";
import { register } from "tsx/esm/api";
import { measureInChild, openChildSession, PHASES } from "./runtime/child.mjs";
import { buildCore } from "./runtime/core-build.mjs";
import { readOptions } from "./runtime/options.mjs";
import { median, percentile, printTable } from "./runtime/stats.mjs";

// Service discovery is shared with the tests (TypeScript): tsx loads it.
register();
const { describeDatastores } = await import("./runtime/datastores.mjs");

const options = readOptions();
// The contenders' processes load the runtime as production runs it: compiled.
await buildCore();
const runId = `${process.pid}-${Date.now().toString(36)}`;

console.log(
  `runtime benchmark: ${options.tasks} no-op tasks per phase, one worker (concurrency ${options.concurrency}), ` +
    `${options.inflight} enqueues in flight, ${options.rounds} round(s) + 1 warm-up, ` +
    `latency sample ${options.sample} at ${options.rate}/s; Node ${process.version}, ${os.cpus().length} CPUs`,
);

// Raw BullMQ giving each job a random id, as the runtime does (BullMQ's own ids count 1, 2,
// 3…): a reference in these phases, so the ratios show what the ids cost apart from the
// runtime's own code.
const REFERENCE_PHASES = ["enqueue", "drain"];

/**
 * One round: both contenders (and, for the enqueue and drain phases, the random-id
 * reference) in their own processes on their own queues, run in lock-step phase by
 * phase; who goes first turns with every phase and round.
 */
async function runRound(store, round, label, sizes = {}) {
  const queueName = (name) => `bench-${name}-${store.datastore.kind}-${runId}-${label}`;
  const contenders = { core: { contender: "core" }, raw: { contender: "raw" }, reference: { contender: "raw", randomIds: true } };
  const sessions = {};
  for (const [name, request] of Object.entries(contenders)) {
    sessions[name] = await openChildSession({ ...request, datastore: store.datastore, queueName: queueName(name), options, ...sizes });
  }
  const results = { core: {}, raw: {}, reference: {} };
  try {
    for (const [index, phase] of PHASES.entries()) {
      const names = REFERENCE_PHASES.includes(phase) ? ["core", "raw", "reference"] : ["core", "raw"];
      const turn = (round + index) % names.length;
      for (const name of [...names.slice(turn), ...names.slice(0, turn)]) Object.assign(results[name], await sessions[name].run(phase));
    }
  } finally {
    await Promise.all(Object.values(sessions).map((session) => session.close()));
  }
  // Beside raw's own figures, as the batches' reference is (ENQUEUE_ONLY).
  results.raw.enqueueRateRandomIds = results.reference.enqueueRate;
  results.raw.drainRateRandomIds = results.reference.drainRate;
  return results;
}

// The enqueue-only measurements of each round: where each lands in its contender's results.
const ENQUEUE_ONLY = [
  { contender: "core", key: "bulkRate", batched: true },
  { contender: "raw", key: "bulkRate", batched: true },
  { contender: "raw", key: "bulkRateRandomIds", batched: true, randomIds: true },
];

let measured = 0;
for (const store of await describeDatastores(options.datastore)) {
  if (!store.datastore) {
    console.warn(`\n⚠️  ${store.name} is not reachable: skipped`);
    continue;
  }
  console.log(`\n${store.name}: ${store.version}`);

  // Warm-up: connections, schema migrations, the datastore's caches; not counted.
  await runRound(store, 0, "warm", { tasks: Math.min(options.tasks, 1_000), sample: 20 });

  const rounds = { core: [], raw: [] };
  for (let round = 0; round < options.rounds; round++) {
    const started = Date.now();
    const results = await runRound(store, round, String(round));
    // Enqueue alone, each in a process of its own, who goes first alternating: both contenders
    // in batches, and for reference raw BullMQ with the random ids the runtime gives every task.
    const enqueueOnly = round % 2 === 0 ? ENQUEUE_ONLY : [...ENQUEUE_ONLY].reverse();
    for (const { contender, key, ...request } of enqueueOnly) {
      const queueName = `bench-${key}-${store.datastore.kind}-${runId}-${round}`;
      results[contender][key] = await measureInChild({
        enqueueOnly: true,
        contender,
        ...request,
        datastore: store.datastore,
        queueName,
        options,
      });
    }
    rounds.core.push(results.core);
    rounds.raw.push(results.raw);
    console.log(`  round ${round + 1}/${options.rounds}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }

  // Throughput and usage rows: medians over the rounds. Latency rows: percentiles over all samples.
  const medianRow = (metric, pick, extra) => {
    const [coreRounds, rawRounds] = ["core", "raw"].map((name) => rounds[name].map(pick));
    return { metric, core: median(coreRounds), raw: median(rawRounds), coreRounds, rawRounds, ...extra };
  };
  const latencies = (name) => rounds[name].flatMap((result) => result.latencies);
  const latencyRow = (p) => ({
    metric: `enqueue→result latency p${p} (ms)`,
    core: percentile(latencies("core"), p),
    raw: percentile(latencies("raw"), p),
    coreRounds: rounds.core.map((result) => percentile(result.latencies, p)),
    rawRounds: rounds.raw.map((result) => percentile(result.latencies, p)),
    digits: 1,
  });
  printTable(`${store.name} — ${options.tasks} tasks, concurrency ${options.concurrency}, median of ${options.rounds} round(s)`, [
    medianRow("enqueue, one add each (tasks/s)", (result) => result.enqueueRate, { higherIsBetter: true }),
    medianRow("enqueue, warm (tasks/s)", (result) => result.enqueueRateWarm, { higherIsBetter: true }),
    medianRow("enqueue, batches of 1000 (tasks/s)", (result) => result.bulkRate, { higherIsBetter: true }),
    medianRow("drain (tasks/s)", (result) => result.drainRate, { higherIsBetter: true }),
    medianRow("drain, warm (tasks/s)", (result) => result.drainRateWarm, { higherIsBetter: true }),
    medianRow("first enqueue → last completion (s)", (result) => result.endToEndSeconds, { digits: 2 }),
    latencyRow(50),
    latencyRow(95),
    latencyRow(99),
  ]);
  console.log(
    `  warm: the same phases, over the tasks after the first ${Math.floor(options.tasks / 4)} (the JIT has compiled the hot path by then)`,
  );
  const missed = rounds.raw.reduce((sum, result) => sum + result.missedEvents, 0);
  console.log(
    `  latency: core awaits handle.result() (queue events raced with a state poll); raw awaits job.waitUntilFinished() (QueueEvents), ` +
      `raced with a 250 ms state poll for missed events (missed: ${missed}/${latencies("raw").length}); ${latencies("core").length} samples each`,
  );
  const againstRandomIds = (what, coreKey, rawKey) => {
    const reference = median(rounds.raw.map((result) => result[rawKey]));
    const core = median(rounds.core.map((result) => result[coreKey]));
    return `raw ${what} with a random id per job (as the runtime gives): ${Math.round(reference).toLocaleString("en-US")} tasks/s, core/that ${(core / reference).toFixed(3)}`;
  };
  console.log(`  enqueue: ${againstRandomIds("queue.add", "enqueueRate", "enqueueRateRandomIds")}`);
  console.log(`  drain: ${againstRandomIds("Worker", "drainRate", "drainRateRandomIds")}`);
  console.log(
    `  batches: core task.enqueueMany(argsList) against raw queue.addBulk(jobs), 1000 tasks a call; ${againstRandomIds("addBulk", "bulkRate", "bulkRateRandomIds")}`,
  );
  // Where the time goes: what each contender's process spends per task (usage.mjs).
  printTable(`${store.name} — usage per task, in the contender's process (median of ${options.rounds} round(s))`, [
    medianRow("enqueue: round trips", (result) => result.enqueueUsage.roundTrips, { digits: 2 }),
    medianRow("enqueue: CPU (µs)", (result) => result.enqueueUsage.cpuMicros, { digits: 0 }),
    medianRow("drain: round trips", (result) => result.drainUsage.roundTrips, { digits: 2 }),
    medianRow("drain: CPU (µs)", (result) => result.drainUsage.cpuMicros, { digits: 0 }),
  ]);
  measured++;
}
if (measured === 0) {
  console.error("\nno datastore reachable: nothing measured");
  process.exitCode = 1;
}
