import { describeError, embeddedPostgresDir, findRunningEmbeddedPostgres, isConnectionError } from "@repo/core";
import { type DatastoreConfig, datastoreFromEnv, describeTarget, openDatastore } from "./datastore/index.js";
import { queueNameFromEnv } from "./settings.js";

/**
 * `pnpm worker:health`: is a live worker consuming this project's queue? It asks
 * the datastore which workers are connected to the queue (BullMQ's own discovery,
 * see `Datastore.countWorkers`): a worker that exits, crashes or is killed drops its
 * connection and disappears, so nothing stale is reported and the worker publishes
 * nothing extra.
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
  datastore?: DatastoreConfig;
  /** Answer within this time even when the datastore hangs (default env WORKER_HEALTH_TIMEOUT_MS, else 5 s). */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export async function checkWorkerHealth(options: WorkerHealthOptions = {}): Promise<WorkerHealth> {
  const env = options.env ?? process.env;
  const queueName = options.queueName ?? queueNameFromEnv(env);
  const timeoutMs = options.timeoutMs ?? (Number(env.WORKER_HEALTH_TIMEOUT_MS) || 5_000);
  const unhealthy = (reason: string): WorkerHealth => ({ healthy: false, reason, workers: 0 });

  const located = await locate(options.datastore ?? datastoreFromEnv(env));
  if ("reason" in located) return unhealthy(located.reason);
  const { config, target } = located;

  const silent = { error: () => {}, warn: () => {}, info: () => {} };
  const datastore = openDatastore(config, { log: silent, connectTimeoutMs: Math.max(500, timeoutMs - 500) });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), timeoutMs);
  });
  try {
    const workers = await Promise.race([datastore.countWorkers(queueName), timedOut]);
    if (workers === "timeout") return unhealthy(`${target} did not answer within ${timeoutMs} ms`);
    if (workers === 0) return unhealthy(`no worker is processing queue "${queueName}" on ${target}`);
    return { healthy: true, reason: `${workers} worker(s) processing queue "${queueName}" on ${target}`, workers };
  } catch (error) {
    const verb = isConnectionError(error) ? "cannot reach" : "could not ask";
    return unhealthy(`${verb} ${target}: ${describeError(error)}`);
  } finally {
    clearTimeout(timer);
    // Bounded as well: closing a connection to a hung server must not hold the answer back.
    await Promise.race([datastore.close(), new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }
}

type Located = { config: DatastoreConfig & { url: string }; target: string } | { reason: string };

/** The datastore's URL. The embedded PostgreSQL is found, never started: none running means no worker. */
async function locate(config: DatastoreConfig): Promise<Located> {
  if (config.kind === "redis") return { config, target: describeTarget("Redis", config.url) };
  let url = config.url;
  if (url === undefined) {
    const dataDir = embeddedPostgresDir();
    url = await findRunningEmbeddedPostgres(dataDir);
    if (!url) return { reason: `the embedded PostgreSQL (${dataDir}) is not running (or not answering), so no worker is` };
  }
  return { config: { ...config, url }, target: describeTarget("PostgreSQL", url) };
}
