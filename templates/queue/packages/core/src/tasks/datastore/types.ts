import type { FlowProducer, Job, Queue, QueueEvents, Worker } from "bullmq";
import type { SuperJSONResult } from "superjson";
import type { postgresBullMQ } from "./postgres.js";

/** Which datastore the task queue lives in; BullMQ runs on either with the same API. */
export type DatastoreConfig =
  | { kind: "redis"; url: string }
  /** Without `url`: the project's database, as the core finds it (DATABASE_URL, else the embedded PostgreSQL). */
  | { kind: "postgres"; url?: string; schema?: string };

/**
 * What a queued task carries: its arguments (JSON, through BullMQ; payload.ts), superjson's
 * notes on the values JSON alone would not bring back, and the abort marker once aborted while running.
 */
export interface TaskJobData {
  args: unknown[];
  meta?: SuperJSONResult["meta"];
  /** Set by `abort()` on a running task: read when an attempt starts and while it runs. */
  abortRequestedAt?: number;
  /** `with({ expire })`: not started by then (epoch ms), the task does not run. */
  expiresAt?: number;
  /** A flow's parent (`task.after(steps)`): its steps' ids, in order; their results become its first argument. */
  after?: string[];
  /** The trace context of the enqueue (W3C `traceparent`, `tracestate`) when tracing is on (tracing.ts). */
  trace?: Record<string, string>;
}

export type TaskJob = Job<TaskJobData, unknown, string>;

/**
 * BullMQ's own classes, as each datastore types them: Redis is BullMQ's default
 * backend, PostgreSQL's classes come from `withBackend` (postgres.ts). The runtime
 * calls what both have in common, and TypeScript checks every call against both.
 */
export type TaskQueue<Data = TaskJobData> = Queue<Data, unknown, string> | InstanceType<typeof postgresBullMQ.Queue<Data, unknown, string>>;
export type TaskFlowProducer = FlowProducer | InstanceType<typeof postgresBullMQ.FlowProducer>;
export type TaskQueueEvents = QueueEvents<unknown> | InstanceType<typeof postgresBullMQ.QueueEvents<unknown>>;
export type QueueConsumer = Worker<TaskJobData, unknown, string> | InstanceType<typeof postgresBullMQ.Worker<TaskJobData, unknown, string>>;

/**
 * The processor a consumer runs for each job. Two parameters on purpose: BullMQ
 * builds an AbortController per job for processors that declare a third (`signal`).
 */
export type TaskProcessor = (job: TaskJob, token?: string) => Promise<unknown>;

/** BullMQ Worker options the runtime may set; passed through as they are. */
export interface ConsumerSettings {
  concurrency: number;
  /** How long a running job's lock lasts (renewed at half of it); BullMQ default 30 s. */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for; BullMQ default 30 s. */
  stalledInterval?: number;
  /** Times a job may stall before it fails; BullMQ default 1. */
  maxStalledCount?: number;
  /** Start consuming at once (BullMQ default); `false` waits for the consumer's `run()`. */
  autorun?: boolean;
  /** Recorded on each job it runs (BullMQ's `processedBy`). */
  name?: string;
}

/** The limits one run counts against: names (limits.ts) and sizes. */
export interface LimitRequest {
  /** The run (its task's id): it holds a slot, waits for one, or has its turn planned. */
  member: string;
  concurrency?: { key: string; limit: number };
  rate?: { key: string; limit: number; period: number };
  /** How long a slot is held without being renewed (a worker that died gives it up then). */
  leaseMs: number;
}

/**
 * What a limit says to a run: run now (holding a slot, its start counted); wait for a
 * slot (it is handed one when another run gives one back); or wait until `wakeAt`, its
 * turn under the rate limit. `granted`: runs that were waiting and now hold a slot given
 * back meanwhile (to be woken).
 */
export type Admission = { outcome: "run" } | { outcome: "slot" } | { outcome: "later"; wakeAt: number; granted: string[] };

/**
 * Concurrency and rate limits shared by every worker process, kept in the datastore and
 * changed atomically (a Lua script on Redis, a function under an advisory lock on
 * PostgreSQL). Times are the workers' clocks, as BullMQ's own delays are.
 */
export interface LimitStore {
  admit(request: LimitRequest, now: number): Promise<Admission>;
  /** Gives the run's slot back; resolves with the waiting runs handed a slot (to be woken). */
  release(request: LimitRequest & { concurrency: { key: string; limit: number } }, now: number): Promise<string[]>;
  /** Extends the leases of slots held by running runs. */
  renew(slots: readonly { key: string; member: string }[], leaseMs: number, now: number): Promise<void>;
  /** Whether the run still waits for a slot (false once one was handed to it). */
  isWaiting(key: string, member: string): Promise<boolean>;
}

/** Where a datastore reports connection trouble. Each method receives one complete line. */
export interface DatastoreLog {
  error(line: string): void;
  warn(line: string): void;
  info(line: string): void;
}

export interface RetryInfo {
  /** The attempt that just failed (1 = the first). */
  attempt: number;
  /** How long until the next attempt. */
  delayMs: number;
  error: Error;
}

export interface DatastoreOptions {
  /** Default: the process log (component "tasks"). */
  log?: DatastoreLog;
  /** Reconnection backoff: exponential from `baseMs`, capped at `capMs`, with jitter. */
  retry?: { baseMs?: number; capMs?: number };
  /** How long one connection attempt may take before it counts as failed (default 5 s). */
  connectTimeoutMs?: number;
}

/**
 * What the task runtime needs from the datastore: BullMQ queues, queue events and
 * consumers on it, reachability, and the workers it sees. Every connection it opens,
 * it closes on `close()`.
 */
export interface Datastore {
  readonly kind: DatastoreConfig["kind"];
  /**
   * Resolves once the datastore answers. While it does not, reports ONE clear
   * error (which URL, what to check), then retries with capped backoff, calling
   * `onRetry` before each wait; logs once when it is back. Rejects only when the
   * datastore is closed meanwhile.
   */
  waitUntilReachable(options?: { onRetry?: (info: RetryInfo) => void }): Promise<void>;
  /**
   * A producer queue. On PostgreSQL it is ready when returned, or this rejects
   * with a clear error (a PostgreSQL queue that missed its first connection never
   * recovers, so it is closed rather than handed out broken).
   */
  openQueue<Data = TaskJobData>(name: string): Promise<TaskQueue<Data>>;
  /**
   * A listener to a queue's events from now on (events can be missed, e.g. while
   * reconnecting: use them to be quick, not to be sure). Ready or rejecting like
   * openQueue; closed by close() at the latest.
   */
  openQueueEvents(name: string): Promise<TaskQueueEvents>;
  /** A producer of flows (a parent and its children in one round trip) on `queueName`; ready or rejecting like openQueue. */
  openFlowProducer(queueName: string): Promise<TaskFlowProducer>;
  /**
   * The concurrency and rate limits of a queue's tasks (limit-gate.ts), for a worker running
   * up to `concurrency` tasks at once; ready or rejecting like openQueue; closed by close().
   */
  openLimitStore(queueName: string, concurrency: number): Promise<LimitStore>;
  /** A consumer: waits until the datastore is reachable (see waitUntilReachable), then consumes. */
  openConsumer(name: string, processor: TaskProcessor, settings: ConsumerSettings): Promise<QueueConsumer>;
  /** One connection attempt and one round trip; rejects when the datastore does not answer (for readiness checks). */
  ping(): Promise<void>;
  /**
   * How many workers consume `queueName` right now, as the datastore lists its
   * clients: one connection attempt, no retries (for health checks). Throws when
   * the datastore cannot be reached or asked.
   */
  countWorkers(queueName: string): Promise<number>;
  close(): Promise<void>;
  /**
   * Drops every connection at once, answered or not: for a datastore that stopped
   * answering while it was being closed (a QUIT or a pool's end would wait for it for ever).
   */
  drop(): void;
}
