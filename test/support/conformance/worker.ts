// A worker process for test/conformance.test.ts, run as `node --import tsx worker.ts`
// with its configuration in CONFORMANCE_WORKER (JSON) and the runtime's settings in
// TASKS_* variables, as a deployed worker gets them. Signal handling is on: the
// test stops it with SIGTERM or kills it with SIGKILL.
//
// The runtime is imported by relative path (tsx does not know vitest's aliases);
// its own `@repo/core` imports resolve through the repo tsconfig's `paths`
// (TSX_TSCONFIG_PATH).
import { createWorker, type DatastoreConfig } from "../../../templates/queue/packages/core/src/tasks/index.js";
import { emit, registerConformanceTasks } from "./tasks.js";

export interface ConformanceWorkerConfig {
  label: string;
  queueName: string;
  datastore: DatastoreConfig & { url: string };
}

const config = JSON.parse(process.env.CONFORMANCE_WORKER ?? "null") as ConformanceWorkerConfig | null;
if (!config) throw new Error("CONFORMANCE_WORKER (JSON) is required");

const worker = createWorker({ queueName: config.queueName, datastore: config.datastore });
registerConformanceTasks(worker, config.label);
await worker.run();
emit({ event: "ready", label: config.label });
