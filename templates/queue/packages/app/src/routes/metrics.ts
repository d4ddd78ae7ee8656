import type { TaskMetrics } from "@repo/core/tasks";
import type { Hono } from "hono";
import { type AdminAccess, guardAdminPath } from "../admin/admin-token.js";

export const METRICS_PATH = "/metrics";

/**
 * `GET /metrics`: this process's metrics in Prometheus's text format (the server's: the
 * tasks it queued and the queue by state; a worker's: the attempts it ran). Guarded like
 * the dashboard: open in development; in production only with ADMIN_TOKEN, sent by the
 * scraper as `Authorization: Bearer <token>` (Prometheus: `authorization.credentials`).
 * Returns whether it is served.
 */
export function mountMetrics(app: Hono, metrics: TaskMetrics, config: AdminAccess): boolean {
  if (!guardAdminPath(app, METRICS_PATH, config)) return false;
  app.get(METRICS_PATH, async (c) => {
    const { contentType, text } = await metrics.scrape();
    return c.body(text, 200, { "content-type": contentType });
  });
  return true;
}
