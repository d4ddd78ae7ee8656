import { db as projectDb, mailer as projectMailer, type Database, type Mailer } from "@repo/core";
import { createHttpClient, type HttpClient } from "./http-client.js";

/**
 * Shared resources for tasks, reached as `worker.context`. Built once per process
 * (the lifespan), on first use — so calling a task directly in a test works without
 * starting a worker. `worker.close()` releases the mail transport; the database is
 * the whole process's (the app's routes use it too): `closeDatabase()` ends it.
 */
export interface TaskContext {
  readonly httpClient: HttpClient;
  /** The project's database (a pg pool that connects on first use). */
  readonly db: Database;
  /** Outgoing mail: SMTP_URL, or .eml files under .data/mail/ in development. */
  readonly mailer: Mailer;
}

export interface ContextOptions {
  database?: Database;
  mailer?: Mailer;
  /** Default timeout for `httpClient` requests (env HTTP_TIMEOUT_MS, else 10 s). */
  httpTimeoutMs?: number;
}

export interface Lifespan {
  readonly context: TaskContext;
  close(): Promise<void>;
}

export function openContext(options: ContextOptions = {}): Lifespan {
  const database = options.database ?? projectDb;
  const mailer = options.mailer ?? projectMailer;
  const httpTimeoutMs = options.httpTimeoutMs ?? (Number(process.env.HTTP_TIMEOUT_MS) || 10_000);
  const context: TaskContext = {
    httpClient: createHttpClient({ timeoutMs: httpTimeoutMs }),
    db: database,
    mailer,
  };
  return {
    context,
    // fetch keeps no per-client state, and the database outlives the worker: the mail transport is what to release.
    close: () => mailer.close(),
  };
}
