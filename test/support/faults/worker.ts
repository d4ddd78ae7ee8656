// A worker process for test/faults.test.ts, run as `node --import tsx worker.ts`
// with its configuration in FAULT_WORKER (JSON). It runs the real runtime with
// signal handling on, as `pnpm worker` would: the test kills or stops it.
//
// The runtime is imported by relative path (tsx does not know vitest's aliases);
// its own `@repo/core` imports resolve through the repo tsconfig's `paths`, which
// the test points tsx at with TSX_TSCONFIG_PATH.
import { setTimeout as sleep } from "node:timers/promises";
import { createWorker } from "../../../templates/queue/packages/core/src/tasks/index.js";
import { openLedger } from "./ledger.js";
import { READY_LINE, RECORD_TASK, type FaultWorkerConfig } from "./protocol.js";

const config = JSON.parse(process.env.FAULT_WORKER ?? "null") as FaultWorkerConfig | null;
if (!config) throw new Error("FAULT_WORKER (JSON) is required");

const ledger = openLedger(config.ledger);
const worker = createWorker({ queueName: config.queueName, datastore: config.datastore, concurrency: config.concurrency });

// Work first, record last: an entry means the task body ran to its end.
worker.task(RECORD_TASK, async (taskId: number) => {
  await sleep(config.taskMs);
  await ledger.record(taskId, config.label);
  return taskId;
});

await worker.run(); // SIGTERM/SIGINT: running tasks finish, then exit 0
console.log(READY_LINE);
