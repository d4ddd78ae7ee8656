#!/usr/bin/env node
// How throughput grows with worker processes on one Redis: the generated project's
// runtime (core) and raw BullMQ side by side, 1, 2 and 4 worker processes each, on
// the same queue of no-op tasks queued beforehand. Per process count, the median over
// the rounds of tasks drained per second, core/raw, and each contender's speed-up over
// one process. Contenders and process counts alternate in order from round to round.
//
//   node bench/scaling.mjs [--tasks 20000] [--rounds 3] [--concurrency 50] [--processes 1,2,4]
import { spawn } from "node:child_process";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { register } from "tsx/esm/api";
import { buildCore } from "./runtime/core-build.mjs";
import { median, printTable } from "./runtime/stats.mjs";

register();
// The worker processes load the runtime as production runs it: compiled.
await buildCore();
const { describeDatastores } = await import("./runtime/datastores.mjs");

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "20000" },
    rounds: { type: "string", default: "3" },
    concurrency: { type: "string", default: "50" },
    processes: { type: "string", default: "1,2,4" },
  },
});
const tasks = Number(values.tasks);
const rounds = Number(values.rounds);
const concurrency = Number(values.concurrency);
const counts = values.processes.split(",").map(Number);
const workerScript = fileURLToPath(new URL("./scaling/worker.mjs", import.meta.url));
const runId = `${process.pid}-${Date.now().toString(36)}`;

const [redis] = await describeDatastores("redis");
if (!redis?.datastore) {
  console.error("Redis is not reachable: nothing measured");
  process.exit(1);
}
console.log(
  `scaling benchmark: ${tasks} no-op tasks, worker processes ${counts.join("/")} (concurrency ${concurrency} each), ` +
    `${rounds} round(s); ${redis.name}: ${redis.version}; Node ${process.version}, ${os.cpus().length} CPUs`,
);

/** A worker process; resolves once it is connected and waiting for "go". */
async function startWorker(request) {
  const child = spawn(process.execPath, [workerScript, JSON.stringify(request)], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = [];
  const waiters = [];
  let pending = "";
  child.stdout.on("data", (chunk) => {
    pending += chunk;
    const parts = pending.split("\n");
    pending = parts.pop();
    for (const line of parts) (waiters.shift() ?? ((value) => lines.push(value)))(line);
  });
  const next = () => (lines.length > 0 ? Promise.resolve(lines.shift()) : new Promise((resolve) => waiters.push(resolve)));
  await next();
  return {
    go: () => child.stdin.write("go\n"),
    async close() {
      child.stdin.write("close\n");
      await next();
    },
  };
}

/** Drains `tasks` no-op tasks queued beforehand with `processes` worker processes of `contender`; tasks/s. */
async function drain(contender, processes, round) {
  const queueName = `bench-scaling-${contender}-${processes}-${runId}-${round}`;
  const connection = new Redis(redis.datastore.url, { maxRetriesPerRequest: null });
  const queue = new Queue(queueName, { connection });
  try {
    // The same jobs for both: the runtime reads plain-JSON arguments as they are.
    const jobOptions = { attempts: 1, removeOnComplete: { age: 3600 } };
    for (let start = 0; start < tasks; start += 1_000) {
      const size = Math.min(1_000, tasks - start);
      await queue.addBulk(Array.from({ length: size }, (_, i) => ({ name: "noop", data: { args: [start + i] }, opts: jobOptions })));
    }
    const workers = await Promise.all(
      Array.from({ length: processes }, () => startWorker({ contender, datastore: redis.datastore, queueName, concurrency })),
    );
    const started = performance.now();
    for (const worker of workers) worker.go();
    for (;;) {
      const { completed = 0, failed = 0 } = await queue.getJobCounts("completed", "failed");
      if (failed > 0) throw new Error(`${failed} task(s) failed`);
      if (completed >= tasks) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    await Promise.all(workers.map((worker) => worker.close()));
    return tasks / seconds;
  } finally {
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    connection.disconnect();
  }
}

const rates = Object.fromEntries(counts.map((n) => [n, { core: [], raw: [] }]));
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? counts : [...counts].reverse();
  for (const processes of order) {
    for (const contender of (round + processes) % 2 === 0 ? ["core", "raw"] : ["raw", "core"]) {
      rates[processes][contender].push(await drain(contender, processes, round));
    }
  }
  console.log(`  round ${round + 1}/${rounds} done`);
}

const base = { core: median(rates[counts[0]].core), raw: median(rates[counts[0]].raw) };
printTable(
  `drain rate by worker processes (tasks/s, median of ${rounds}); speed-up against ${counts[0]} process(es)`,
  counts.map((n) => ({
    metric: `${n} worker process(es)`,
    core: median(rates[n].core),
    raw: median(rates[n].raw),
    coreRounds: rates[n].core,
    rawRounds: rates[n].raw,
    higherIsBetter: true,
  })),
);
for (const n of counts) {
  console.log(
    `  ${n} process(es): core ×${(median(rates[n].core) / base.core).toFixed(2)}, raw ×${(median(rates[n].raw) / base.raw).toFixed(2)} over ${counts[0]}`,
  );
}
