import { embeddedPostgresDir, findRunningEmbeddedPostgres, redactUrl, resolveDatabaseUrl } from "@repo/core";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { describeError, engineFromEnv, isConnectionError, postgresBullMQ, queueNameFromEnv, type EngineConfig } from "./engine.js";

/**
 * `pnpm worker:health`: is a live worker consuming this project's queue?
 *
 * It asks the datastore which workers are connected to the queue — BullMQ's own
 * discovery (`queue.getWorkers()`): on Redis the named connections in CLIENT
 * LIST, on PostgreSQL the `application_name` of each worker's LISTEN session in
 * pg_stat_activity. A worker that exits, crashes or is killed drops its
 * connection and disappears from the list, so nothing stale is reported and the
 * worker publishes nothing extra.
 */
export interface WorkerHealth {
  healthy: boolean;
  /** One line, for the health check's output. */
  reason: string;
  /** Workers connected to the queue (0 when the datastore could not be asked). */
  workers: number;
}

export interface WorkerHealthOptions {
  /** Default: env TASKS_QUEUE, else "tasks" (as the worker). */
  queueName?: string;
  /** Default: from env, as the worker (REDIS_URL, else DATABASE_URL, else the embedded PostgreSQL). */
  engine?: EngineConfig;
  /** Answer within this time even when the datastore hangs (default env WORKER_HEALTH_TIMEOUT_MS, else 5 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function checkWorkerHealth(options: WorkerHealthOptions = {}): Promise<WorkerHealth> {
  const env = options.env ?? process.env;
  const queueName = options.queueName ?? queueNameFromEnv(env);
  const timeoutMs = options.timeoutMs ?? (Number(env.WORKER_HEALTH_TIMEOUT_MS) || 5_000);
  const config = options.engine ?? engineFromEnv(env);
  const unhealthy = (reason: string): WorkerHealth => ({ healthy: false, reason, workers: 0 });

  const located = await locate(config);
  if ("reason" in located) return unhealthy(located.reason);
  const { target } = located;

  const probe = openProbe(located, queueName, Math.max(500, timeoutMs - 500));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const answer = await Promise.race([probe.workers(), timedOut]);
    if (answer === "timeout") return unhealthy(`${target} did not answer within ${timeoutMs} ms`);
    if (answer.unsupported) return unhealthy(`${target} does not list its clients (CLIENT LIST), so workers cannot be seen`);
    const workers = answer.count;
    if (workers === 0) return unhealthy(`no worker is processing queue "${queueName}" on ${target}`);
    return { healthy: true, reason: `${workers} worker(s) processing queue "${queueName}" on ${target}`, workers };
  } catch (error) {
    const verb = isConnectionError(error) ? "cannot reach" : "could not ask";
    return unhealthy(`${verb} ${target}: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    // Bounded as well: closing a connection to a hung server must not hold the answer back.
    await Promise.race([probe.close(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
}

type Located = { kind: "redis" | "postgres"; url: string; schema?: string; target: string } | { reason: string };

/** The datastore's URL. The embedded PostgreSQL is found, never started: none running means no worker. */
async function locate(config: EngineConfig): Promise<Located> {
  if (config.kind === "redis") return { kind: "redis", url: config.url, target: `Redis at ${redactUrl(config.url)}` };
  if (typeof config.url === "string") {
    return { kind: "postgres", url: config.url, schema: config.schema, target: `PostgreSQL at ${redactUrl(config.url)}` };
  }
  let url: string | undefined;
  if (config.url === resolveDatabaseUrl) {
    const dataDir = embeddedPostgresDir();
    url = await findRunningEmbeddedPostgres(dataDir);
    if (!url) return { reason: `the embedded PostgreSQL (${dataDir}) is not running (or not answering), so no worker is` };
  } else {
    url = await config.url();
  }
  return { kind: "postgres", url, schema: config.schema, target: `PostgreSQL at ${redactUrl(url)}` };
}

interface Probe {
  workers(): Promise<{ count: number; unsupported?: boolean }>;
  close(): Promise<void>;
}

/** A queue handle that fails fast: one connection attempt, no retries, no migrations. */
function openProbe(located: Extract<Located, { url: string }>, queueName: string, connectTimeout: number): Probe {
  if (located.kind === "redis") {
    const client = new Redis(located.url, {
      connectTimeout,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    let cause: Error | undefined;
    client.on("error", (error: Error) => {
      cause ??= error;
    });
    // skipVersionCheck: BullMQ's INFO check would print its own warnings into the health output.
    let queue: Queue | undefined;
    return {
      async workers() {
        await client.connect().catch((error: unknown) => {
          throw cause ?? error;
        });
        queue = new Queue(queueName, { connection: client, skipVersionCheck: true });
        queue.on("error", () => {}); // failures reject getWorkers() below
        const workers = await queue.getWorkers();
        // BullMQ's stand-in entry when the server refuses CLIENT LIST (e.g. some managed Redis).
        if (workers.some((worker) => !worker.rawname)) return { count: 0, unsupported: true };
        return { count: workers.length };
      },
      async close() {
        await queue?.close().catch(() => {});
        client.disconnect();
      },
    };
  }
  const queue = new postgresBullMQ.Queue(queueName, {
    connection: {
      connectionString: located.url,
      schema: located.schema ?? "bullmq",
      max: 1,
      connectionTimeoutMillis: connectTimeout,
    },
  });
  queue.on("error", () => {}); // failures reject getWorkers() below
  return {
    async workers() {
      try {
        return { count: (await queue.getWorkers()).length };
      } catch (error) {
        // The first worker creates BullMQ's schema: without it, no worker has ever run here.
        if (/schema .* is not initialized/i.test(describeError(error))) return { count: 0 };
        throw error;
      }
    },
    close: () => queue.close().catch(() => {}),
  };
}
