import { resolveDatabaseUrl } from "@repo/core";
import { Queue, Worker, createPostgresBackend, withBackend, type Job } from "bullmq";
import { Redis } from "ioredis";

/**
 * Which datastore BullMQ runs on. Same BullMQ API either way:
 * - `REDIS_URL` set → Redis (production: many workers on many machines);
 * - else PostgreSQL: `DATABASE_URL`, or the project's embedded server.
 */
export type EngineConfig =
  | { kind: "redis"; url: string }
  | { kind: "postgres"; url: string | (() => Promise<string>); schema?: string };

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

export interface EngineWorker {
  on(event: "failed", listener: (job: TaskJob | undefined, error: Error) => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  waitUntilReady(): Promise<unknown>;
  close(force?: boolean): Promise<void>;
}

export interface WorkerSettings {
  concurrency: number;
}

/** Opens BullMQ queues and workers on one datastore, and closes every connection it opened. */
export interface Engine {
  readonly kind: EngineConfig["kind"];
  openQueue(name: string): Promise<EngineQueue>;
  openWorker(name: string, processor: TaskProcessor, settings: WorkerSettings): Promise<EngineWorker>;
  close(): Promise<void>;
}

export function createEngine(config: EngineConfig): Engine {
  return config.kind === "redis" ? redisEngine(config.url) : postgresEngine(config.url, config.schema);
}

function redisEngine(url: string): Engine {
  // BullMQ does not close connections it was handed, so the engine tracks and closes them.
  const connections: Redis[] = [];
  const connect = (blocking: boolean) => {
    // Worker connections block on Redis; ioredis must retry those forever (BullMQ requirement).
    const connection = new Redis(url, blocking ? { maxRetriesPerRequest: null } : {});
    connection.on("error", () => {}); // surfaced by BullMQ's own error events; avoid unhandled 'error'
    connections.push(connection);
    return connection;
  };
  return {
    kind: "redis",
    async openQueue(name) {
      return new Queue<TaskJobData, unknown, string>(name, { connection: connect(false) }) as unknown as EngineQueue;
    },
    async openWorker(name, processor, { concurrency }) {
      return new Worker<TaskJobData, unknown, string>(name, processor, { connection: connect(true), concurrency });
    },
    async close() {
      await Promise.all(connections.splice(0).map((connection) => connection.quit().catch(() => connection.disconnect())));
    },
  };
}

const postgres = withBackend(createPostgresBackend);

function postgresEngine(url: string | (() => Promise<string>), schema = "bullmq"): Engine {
  // `migrate: true` lets BullMQ create/upgrade its schema (under its own advisory lock).
  const connection = async () => ({
    connectionString: typeof url === "string" ? url : await url(),
    schema,
    migrate: true,
    max: 4,
  });
  return {
    kind: "postgres",
    async openQueue(name) {
      return new postgres.Queue<TaskJobData, unknown, string>(name, { connection: await connection() }) as unknown as EngineQueue;
    },
    async openWorker(name, processor, { concurrency }) {
      return new postgres.Worker<TaskJobData, unknown, string>(name, processor, {
        connection: await connection(),
        concurrency,
      }) as unknown as EngineWorker;
    },
    async close() {}, // each Queue/Worker owns (and closes) the pool it built
  };
}
