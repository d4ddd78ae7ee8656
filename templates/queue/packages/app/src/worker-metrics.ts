import { serve } from "@hono/node-server";
import type { TaskMetrics } from "@repo/core/tasks";
import { Hono } from "hono";
import type { WorkerConfig } from "./config.js";
import { METRICS_PATH, mountMetrics } from "./routes/metrics.js";

/**
 * A worker's own `GET /metrics` (the attempts it runs live in its process), on
 * WORKER_METRICS_PORT, guarded like the server's. Resolves with the line for the
 * startup message; a port in use stops the worker, as it stops the server.
 */
export async function serveWorkerMetrics(metrics: TaskMetrics, config: WorkerConfig): Promise<string> {
  if (config.metricsPort === undefined) return "metrics: off (set WORKER_METRICS_PORT to serve GET /metrics)";
  const app = new Hono();
  if (!mountMetrics(app, metrics, config)) return "metrics: off (set ADMIN_TOKEN to enable them in production)";
  const port = await new Promise<number>((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.metricsPort }, (info) => resolve(info.port));
    server.on("error", (error: NodeJS.ErrnoException) => {
      if (error.code !== "EADDRINUSE") throw error;
      console.error(`WORKER_METRICS_PORT ${config.metricsPort} is already in use; set it to a free port.`);
      process.exit(1);
    });
  });
  return `metrics: http://localhost:${port}${METRICS_PATH}${config.production ? " (ADMIN_TOKEN required)" : ""}`;
}
