import type { DatastoreConfig } from "../../../templates/queue/packages/core/src/tasks/index.js";
import type { LedgerConfig } from "./ledger.js";

/** The one task the fault tests queue: `record(taskId)` writes to the ledger, then returns its id. */
export const RECORD_TASK = "record";

/** What the test hands a fault worker process (as JSON in FAULT_WORKER). */
export interface FaultWorkerConfig {
  /** Names the process in the ledger ("A", "B"). */
  label: string;
  queueName: string;
  /** Serialisable: a URL string, never a function. */
  datastore: DatastoreConfig & { url: string };
  ledger: LedgerConfig;
  concurrency: number;
  /** Async work per task before it records itself, in ms. */
  taskMs: number;
}

/** The line a fault worker prints once it consumes the queue. */
export const READY_LINE = "fault-worker-ready";
