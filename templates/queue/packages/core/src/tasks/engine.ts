import { setTimeout as sleep } from "node:timers/promises";
import { redactUrl, resolveDatabaseUrl } from "@repo/core";
import { Queue, QueueEvents, Worker, createPostgresBackend, withBackend, type Job } from "bullmq";
import { Redis } from "ioredis";
import pg from "pg";
import { retryDelay } from "./backoff.js";

/**
 * Which datastore BullMQ runs on. Same BullMQ API either way:
 * - `REDIS_URL` set → Redis (production: many workers on many machines);
 * - else PostgreSQL: `DATABASE_URL`, or the project's embedded server.
 */
export type EngineConfig = { kind: "redis"; url: string } | { kind: "postgres"; url: string | (() => Promise<string>); schema?: string };

/** The queue the app and the worker share: TASKS_QUEUE, else "tasks". */
export function queueNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.TASKS_QUEUE?.trim() || "tasks";
}

export function engineFromEnv(env: NodeJS.ProcessEnv = process.env): EngineConfig {
  const redisUrl = env.REDIS_URL?.trim();
  if (redisUrl) return { kind: "redis", url: redisUrl };
  const databaseUrl = env.DATABASE_URL?.trim();
  return { kind: "postgres", url: databaseUrl || resolveDatabaseUrl };
}

/** What a queued task carries: its arguments, JSON-serialised by BullMQ. */
export interface TaskJobData {
  args: unknown[];
}

export type TaskJob = Job<TaskJobData, unknown, string>;
export type TaskProcessor = (job: TaskJob, token?: string, signal?: AbortSignal) => Promise<unknown>;

/**
 * The slice of BullMQ's Queue the runtime uses. The Redis and PostgreSQL Queue
 * classes differ in their backend type parameters; this keeps the rest of the
 * runtime independent of which one is in use.
 */
export interface EngineQueue {
  add(name: string, data: unknown, opts?: Parameters<Queue["add"]>[2]): Promise<{ id?: string | undefined }>;
  getJob(id: string): Promise<TaskJob | undefined>;
  remove(id: string): Promise<number>;
  obliterate(opts?: { force?: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** The slice of BullMQ's QueueEvents the runtime uses: finishes (and removals) of a queue's jobs. */
export interface EngineQueueEvents {
  on(event: "completed", listener: (args: { jobId: string; returnvalue: unknown }) => void): unknown;
  on(event: "failed" | "removed", listener: (args: { jobId: string }) => void): unknown;
  close(): Promise<void>;
}

export interface EngineWorker {
  on(event: "failed", listener: (job: TaskJob | undefined, error: Error) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

/** BullMQ Worker options the runtime may set; passed through as they are. */
export interface WorkerSettings {
  concurrency: number;
  /** How long a running job's lock lasts (renewed at half of it); BullMQ default 30 s. */
  lockDuration?: number;
  /** How often stalled jobs (their worker died) are looked for; BullMQ default 30 s. */
  stalledInterval?: number;
  /** Times a job may stall before it fails; BullMQ default 1. */
  maxStalledCount?: number;
}

const bullWorkerOptions = ({ concurrency, lockDuration, stalledInterval, maxStalledCount }: WorkerSettings) => ({
  concurrency,
  ...(lockDuration !== undefined ? { lockDuration } : {}),
  ...(stalledInterval !== undefined ? { stalledInterval } : {}),
  ...(maxStalledCount !== undefined ? { maxStalledCount } : {}),
});

/** Where the engine reports connection trouble. Each method receives one complete line. */
export interface EngineLog {
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

export interface EngineOptions {
  /** Default: console, prefixed with "[tasks]". */
  log?: EngineLog;
  /** Reconnection backoff: exponential from `baseMs`, capped at `capMs`, with jitter. */
  retry?: { baseMs?: number; capMs?: number };
  /** How long one connection attempt may take before it counts as failed (default 5 s). */
  connectTimeoutMs?: number;
}

/** Opens BullMQ queues and workers on one datastore, and closes every connection it opened. */
export interface Engine {
  readonly kind: EngineConfig["kind"];
  /**
   * Resolves once the datastore answers. While it does not, reports ONE clear
   * error (which URL, what to check), then retries with capped backoff, calling
   * `onRetry` before each wait; logs once when it is back. Rejects only when the
   * engine is closed meanwhile.
   */
  waitUntilReachable(options?: { onRetry?: (info: RetryInfo) => void }): Promise<void>;
  /**
   * A producer queue. On PostgreSQL it is ready when returned, or this rejects
   * with a clear error (a PostgreSQL queue that missed its first connection never
   * recovers, so it is closed rather than handed out broken).
   */
  openQueue(name: string): Promise<EngineQueue>;
  /**
   * A listener to a queue's events from now on (BullMQ QueueEvents; events can be
   * missed, e.g. while reconnecting: use them to be quick, not to be sure). Ready
   * or rejecting like openQueue; closed by close() at the latest.
   */
  openQueueEvents(name: string): Promise<EngineQueueEvents>;
  /** A consumer: waits until the datastore is reachable (see waitUntilReachable), then consumes. */
  openWorker(name: string, processor: TaskProcessor, settings: WorkerSettings): Promise<EngineWorker>;
  close(): Promise<void>;
}

const defaultEngineLog: EngineLog = {
  error: (line) => console.error(`[tasks] ${line}`),
  warn: (line) => console.warn(`[tasks] ${line}`),
  info: (line) => console.log(`[tasks] ${line}`),
};

export function createEngine(config: EngineConfig, options: EngineOptions = {}): Engine {
  return config.kind === "redis" ? redisEngine(config.url, options) : postgresEngine(config.url, config.schema, options);
}

/** Reconnection waits: the tasks' retry backoff, with "equal jitter" (half to all of the capped exponential). */
function backoffDelay(attempt: number, { baseMs = 500, capMs = 10_000 }: EngineOptions["retry"] = {}): number {
  return retryDelay(attempt, { delay: baseMs, max: capMs, jitter: 0.5 });
}

const REDIS_HINT =
  "Check that Redis is running and reachable from here, and that REDIS_URL is right " + "(host, port, password; rediss:// for TLS).";
const POSTGRES_HINT =
  "Check that PostgreSQL is running and accepts connections from here, and that DATABASE_URL is right " +
  "(host, port, user, password, database).";

/**
 * One datastore's reachability, shared by every connection of an engine: the
 * first failure is reported once, clearly; the return once; nothing in between.
 * While down it probes with capped backoff, so the "back" line appears even
 * when the failing connections (PostgreSQL pools) emit nothing on recovery.
 */
class Reachability {
  private state: "unknown" | "up" | "down" = "unknown";
  private watching = false;
  private readonly closed = new AbortController();

  constructor(
    private readonly what: string,
    private readonly hint: string,
    private readonly url: () => Promise<string>,
    private readonly probe: (url: string) => Promise<void>,
    private readonly options: EngineOptions,
  ) {}

  private get log(): EngineLog {
    return this.options.log ?? defaultEngineLog;
  }

  target(url: string): string {
    return `${this.what} at ${redactUrl(url)}`;
  }

  async waitUntilReachable({ onRetry }: { onRetry?: (info: RetryInfo) => void } = {}): Promise<void> {
    const stop = this.closed.signal;
    // Resolving the URL may start the embedded PostgreSQL: its failures are not
    // "unreachable" and are thrown as they are.
    const url = await this.url();
    for (let attempt = 1; ; attempt++) {
      stop.throwIfAborted();
      try {
        await this.probe(url);
        this.up(url);
        return;
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        const delayMs = backoffDelay(attempt, this.options.retry);
        if (this.state !== "down") {
          this.state = "down";
          this.log.error(
            `Cannot reach ${this.target(url)}: ${describeError(cause)}. ${this.hint} ` +
              `Retrying with backoff (at most ${this.cap()} apart) until it answers.`,
          );
        }
        onRetry?.({ attempt, delayMs, error: cause });
        await sleep(delayMs, undefined, { signal: stop }).catch(() => {
          throw stop.reason;
        });
      }
    }
  }

  /** A live connection failed: report it once, then watch for the datastore's return. */
  lost(url: string, error: Error): void {
    if (this.state === "down" || this.closed.signal.aborted) return;
    this.state = "down";
    this.log.error(
      `Lost the connection to ${this.target(url)}: ${describeError(error)}. ${this.hint} ` +
        `Reconnecting with backoff (at most ${this.cap()} apart); tasks resume when it is back.`,
    );
    if (this.watching) return;
    this.watching = true;
    this.waitUntilReachable()
      .catch(() => {}) // closed meanwhile
      .finally(() => {
        this.watching = false;
      });
  }

  up(url: string): void {
    if (this.state === "down") this.log.info(`${this.target(url)} is reachable again; carrying on.`);
    this.state = "up";
  }

  close(): void {
    this.closed.abort(new Error(`The task engine for ${this.what} was closed`));
  }

  private cap(): string {
    const capMs = this.options.retry?.capMs ?? 10_000;
    return capMs < 1000 ? `${capMs} ms` : `${Math.round(capMs / 1000)} s`;
  }
}

function redisEngine(url: string, options: EngineOptions): Engine {
  const log = options.log ?? defaultEngineLog;
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const reachability = new Reachability(
    "Redis",
    REDIS_HINT,
    async () => url,
    (target) => pingRedis(target, connectTimeout),
    options,
  );
  let evictionChecked = false;
  // The policy decides whether Redis may silently drop queued tasks: say so once per process.
  const checkEvictionPolicy = async (connection: Redis) => {
    if (evictionChecked) return;
    evictionChecked = true;
    const policy = await readEvictionPolicy(connection).catch(() => undefined);
    if (policy && policy !== "noeviction") log.warn(evictionWarning(reachability.target(url), policy));
  };

  // BullMQ does not close connections it was handed, so the engine tracks and closes them.
  const connections: Redis[] = [];
  const openedEvents = new Set<{ close(): Promise<void> }>();
  const connect = (blocking: boolean) => {
    const connection = new Redis(url, {
      // Worker connections block on Redis; ioredis must retry those forever (BullMQ requirement).
      ...(blocking ? { maxRetriesPerRequest: null } : {}),
      connectTimeout,
      // ioredis reconnects on its own; capped backoff instead of its 2 s ceiling keeps a long outage quiet.
      retryStrategy: (times: number) => backoffDelay(times, options.retry),
    });
    connection.on("error", (error: Error) => {
      // Connection trouble is reported once by `reachability`; anything else BullMQ surfaces itself.
      if (isConnectionError(error)) reachability.lost(url, error);
    });
    connection.on("ready", () => {
      reachability.up(url);
      void checkEvictionPolicy(connection);
    });
    connections.push(connection);
    return connection;
  };
  const watch = (emitter: { on(event: "error", listener: (error: Error) => void): unknown }) =>
    emitter.on("error", (error: Error) => {
      if (isConnectionError(error)) reachability.lost(url, error);
    });

  return {
    kind: "redis",
    waitUntilReachable: (waitOptions) => reachability.waitUntilReachable(waitOptions),
    async openQueue(name) {
      const queue = new Queue<TaskJobData, unknown, string>(name, { connection: connect(false) });
      watch(queue); // without an 'error' listener BullMQ prints every failed reconnect with its stack
      return queue as unknown as EngineQueue;
    },
    async openQueueEvents(name) {
      const events = new QueueEvents(name, { connection: connect(true) });
      watch(events);
      openedEvents.add(events);
      return events as unknown as EngineQueueEvents;
    },
    async openWorker(name, processor, settings) {
      await reachability.waitUntilReachable();
      const worker = new Worker<TaskJobData, unknown, string>(name, processor, {
        ...bullWorkerOptions(settings),
        connection: connect(true),
      });
      watch(worker);
      return worker;
    },
    async close() {
      reachability.close();
      await closeAll(openedEvents);
      await Promise.all(connections.splice(0).map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}

export const postgresBullMQ = withBackend(createPostgresBackend);

function postgresEngine(url: string | (() => Promise<string>), schema = "bullmq", options: EngineOptions): Engine {
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  let resolvedUrl: string | undefined;
  const resolveUrl = async () => (resolvedUrl ??= typeof url === "string" ? url : await url());
  const hint = typeof url === "string" ? POSTGRES_HINT : "The project's embedded PostgreSQL (.data/postgres) stopped answering.";
  const reachability = new Reachability("PostgreSQL", hint, resolveUrl, (target) => pingPostgres(target, connectTimeout), options);
  // `migrate: true` lets BullMQ create/upgrade its schema (under its own advisory lock).
  const connection = async () => ({
    connectionString: await resolveUrl(),
    schema,
    migrate: true,
    max: 4,
    connectionTimeoutMillis: connectTimeout,
  });
  const watch = (emitter: { on(event: "error", listener: (error: Error) => void): unknown }) =>
    emitter.on("error", (error: Error) => {
      if (isConnectionError(error) && resolvedUrl) reachability.lost(resolvedUrl, error);
    });
  const openedEvents = new Set<{ close(): Promise<void> }>();
  // A PostgreSQL queue or listener that missed its first connection never recovers:
  // close it and say why, rather than hand it out broken.
  const readyOrClosed = async (opened: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }) => {
    try {
      await opened.waitUntilReady();
    } catch (error) {
      await opened.close().catch(() => {});
      throw new Error(`Cannot reach ${reachability.target(await resolveUrl())}: ${describeError(error)}. ${hint}`, { cause: error });
    }
  };

  return {
    kind: "postgres",
    waitUntilReachable: (waitOptions) => reachability.waitUntilReachable(waitOptions),
    async openQueue(name) {
      const queue = new postgresBullMQ.Queue<TaskJobData, unknown, string>(name, { connection: await connection() });
      watch(queue);
      await readyOrClosed(queue);
      return queue as unknown as EngineQueue;
    },
    async openQueueEvents(name) {
      const events = new postgresBullMQ.QueueEvents(name, { connection: await connection() });
      watch(events);
      openedEvents.add(events); // close() closes it even while it is still connecting
      await readyOrClosed(events).catch((error: unknown) => {
        openedEvents.delete(events);
        throw error;
      });
      return events as unknown as EngineQueueEvents;
    },
    async openWorker(name, processor, settings) {
      // A PostgreSQL worker whose first connection fails stays broken for good (its
      // readiness is memoised), so only start one once the server answers, and
      // start over if it went away in between.
      for (;;) {
        await reachability.waitUntilReachable();
        const worker = new postgresBullMQ.Worker<TaskJobData, unknown, string>(name, processor, {
          ...bullWorkerOptions(settings),
          connection: await connection(),
        });
        watch(worker);
        try {
          await worker.waitUntilReady();
          return worker as unknown as EngineWorker;
        } catch (error) {
          await worker.close(true).catch(() => {});
          if (!isConnectionError(error)) throw error;
        }
      }
    },
    async close() {
      reachability.close(); // each Queue/Worker owns (and closes) the pool it built
      await closeAll(openedEvents);
    },
  };
}

/** Closes the QueueEvents an engine opened (closing twice is harmless: BullMQ returns the first close). */
async function closeAll(opened: Set<{ close(): Promise<void> }>): Promise<void> {
  const all = [...opened];
  opened.clear();
  await Promise.all(all.map((events) => events.close().catch(() => {})));
}

async function pingRedis(url: string, connectTimeout: number): Promise<void> {
  // One attempt, no offline queue: the caller owns retrying.
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() itself rejects with a bare "Connection is closed"; the cause arrives as an 'error' event.
  let cause: Error | undefined;
  client.on("error", (error: Error) => {
    cause ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    throw cause ?? error;
  } finally {
    client.disconnect();
  }
}

async function pingPostgres(url: string, connectTimeout: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeout });
  client.on("error", () => {}); // a drop after connecting: the query below rejects
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => {});
  }
}

/** Redis's `maxmemory-policy`, from INFO (allowed on managed Redis, where CONFIG often is not). */
async function readEvictionPolicy(client: Redis): Promise<string | undefined> {
  const info = await client.info("memory");
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

function evictionWarning(target: string, policy: string): string {
  return (
    `${target} has maxmemory-policy "${policy}": when it runs short of memory it may evict ` +
    `queued tasks and their results, losing them without a trace. Set it to "noeviction" ` +
    `(redis.conf: maxmemory-policy noeviction, or CONFIG SET maxmemory-policy noeviction; on a ` +
    `managed Redis, its parameter group). BullMQ's "IMPORTANT! Eviction policy" lines say the same.`
  );
}

// Errors that mean "the datastore is not there (right now)", as ioredis, node-postgres,
// PostgreSQL (SQLSTATE class 08 and 57P0x) and Node's sockets report them.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);
const CONNECTION_MESSAGES =
  /Connection is closed|Connection terminated|connection error|terminating connection|database system is (shutting down|starting up|in recovery)|max retries per request|Stream isn't writeable|socket hang up|ECONNREFUSED|ETIMEDOUT/i;

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  // Node's "happy eyeballs" connect reports every address tried in an AggregateError.
  return error instanceof AggregateError && error.errors.some(isConnectionError);
}

/** A one-line account of an error; AggregateErrors (often with an empty message) name their parts. */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describeError).join("; ") || "connection failed";
  }
  // Without a final period: it is embedded in sentences.
  if (error instanceof Error) return (error.message || error.name).replace(/\.+$/, "");
  return String(error);
}
