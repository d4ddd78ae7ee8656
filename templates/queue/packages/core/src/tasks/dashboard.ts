import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Queue } from "bullmq";
import type { Hono } from "hono";
import { type DatastoreConfig, type DatastoreOptions, datastoreFromEnv, openDatastore } from "./datastore/index.js";
import { queueNameFromEnv } from "./settings.js";

/**
 * A development dashboard (Bull Board) for the project's task queue, on Redis or
 * PostgreSQL alike. Mount it in the app's Hono server:
 *
 *   const dashboard = await createDashboard({ basePath: "/admin/queues" });
 *   app.route(dashboard.basePath, dashboard.app);
 *   // on shutdown: await dashboard.close();
 *
 * It can retry, remove and add jobs: do not expose it unauthenticated in production
 * (put it behind your auth middleware, or pass `readOnly: true`).
 */
export interface DashboardOptions {
  /** Where it is mounted (default "/admin/queues"). */
  basePath?: string;
  /** Queues to show (default: env TASKS_QUEUE, else "tasks" — the worker's queue). */
  queueNames?: string[];
  /** Where the queues live (default: from env, as the worker). */
  datastore?: DatastoreConfig;
  datastoreOptions?: DatastoreOptions;
  /** No retry/remove/clean/add buttons. */
  readOnly?: boolean;
  /** Page title (default "Tasks"). */
  title?: string;
}

export interface Dashboard {
  readonly basePath: string;
  /** Routes relative to basePath: `app.route(dashboard.basePath, dashboard.app)`. */
  readonly app: Hono;
  /** Closes the queues (and connections) the dashboard opened. */
  close(): Promise<void>;
}

export async function createDashboard(options: DashboardOptions = {}): Promise<Dashboard> {
  const basePath = normaliseBasePath(options.basePath ?? "/admin/queues");
  const queueNames = options.queueNames ?? [queueNameFromEnv()];
  const datastore = openDatastore(options.datastore ?? datastoreFromEnv(), options.datastoreOptions);
  try {
    const queues = await Promise.all(queueNames.map((name) => datastore.openQueue(name)));
    const serverAdapter = new HonoAdapter(serveStatic);
    serverAdapter.setBasePath(basePath);
    createBullBoard({
      // Bull Board 9.10 declares its adapter for BullMQ's default (Redis) Queue type, yet
      // reads a queue on any datastore BullMQ 6 supports through the same Queue API, PostgreSQL's
      // included (the operations tests read its board): only the declaration is narrower.
      queues: queues.map((queue) => new BullMQAdapter(queue as Queue, { readOnlyMode: options.readOnly ?? false })),
      serverAdapter,
      options: { uiConfig: { boardTitle: options.title ?? "Tasks" } },
    });
    return { basePath, app: serverAdapter.registerPlugin(), close: () => closeAll(queues).then(() => datastore.close()) };
  } catch (error) {
    await datastore.close();
    throw error;
  }
}

async function closeAll(queues: { close(): Promise<void> }[]): Promise<void> {
  await Promise.all(queues.map((queue) => queue.close().catch(() => {})));
}

function normaliseBasePath(basePath: string): string {
  return `/${basePath.replace(/^\/+|\/+$/g, "")}`;
}
