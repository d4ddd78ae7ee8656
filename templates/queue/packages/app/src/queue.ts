// The job queue's part of the HTTP app: queueing the welcome email, `GET /tasks/:id`
// and the admin dashboard. (Replaced by a stub in projects without the queue.)
import type { Transaction } from "@repo/core/tasks";
import type { Hono } from "hono";
import type { AppConfig } from "./config.js";
import { worker } from "./tasks/worker.js";
import { sendWelcomeEmail } from "./tasks/emails.js";
import { closeDashboards, mountDashboard, DASHBOARD_PATH } from "./admin/dashboard.js";
import { METRICS_PATH, mountMetrics } from "./routes/metrics.js";
import { taskRoutes } from "./routes/tasks.js";

/** The parts of the app's configuration the queue routes read. */
export type QueueRouteConfig = Pick<AppConfig, "production" | "adminToken">;

/**
 * Queues the new user's welcome email in the signup's transaction (the task outbox): it
 * commits with the user, or not at all. Resolves with the task id.
 */
export async function enqueueWelcomeEmail(userId: string, transaction: Transaction): Promise<string | undefined> {
  return (await sendWelcomeEmail.with({ transaction }).enqueue(userId)).id;
}

/**
 * `GET /tasks/:id`, and the Bull Board dashboard at /admin/queues and the metrics at
 * /metrics: open in development, in production only with ADMIN_TOKEN (and then only with it).
 */
export function mountQueueRoutes(app: Hono, config: QueueRouteConfig): void {
  app.route("/", taskRoutes);
  mountDashboard(app, config);
  mountMetrics(app, worker.metrics, config);
}

/** The queue's part of the readiness check: its datastore answers. */
export function queueHealthChecks(): Record<string, () => Promise<unknown>> {
  return { queue: () => worker.ping() };
}

export function queueStartupNotes(baseUrl: string, config: QueueRouteConfig): string[] {
  if (config.production && !config.adminToken)
    return ["dashboard and metrics: off (set ADMIN_TOKEN to enable them in production)", "task status: GET /tasks/:id"];
  const guarded = config.production ? " (ADMIN_TOKEN required)" : "";
  return [
    `dashboard: ${baseUrl}${DASHBOARD_PATH}${guarded}`,
    `metrics: ${baseUrl}${METRICS_PATH}${guarded}`,
    "task status: GET /tasks/:id",
  ];
}

/** Closes the dashboard's and the task queue's connections (and the worker's context). */
export async function closeQueue(): Promise<void> {
  await closeDashboards();
  await worker.close();
}

/** Whether this project has the job queue (tests read it). */
export const jobQueueEnabled: boolean = true;
