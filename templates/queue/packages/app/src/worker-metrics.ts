import { serve } from "@hono/node-server";
import type { TaskMetrics } from "@repo/core/tasks";
import { Hono } from "hono";
import type { WorkerConfig } from "./config.js";
import { METRICS_PATH, mountMetrics } from "./routes/metrics.js";

/**
 * A worker's own `GET /metrics` (the attempts it runs live in its process), on
 * WORKER_METRICS_PORT, guarded like the server's. Resolves with the line for the
 * startup message once it listens; rejects, saying why, when it cannot (a port in use).
 */
export async function serveWorkerMetrics(metrics: TaskMetrics, config: WorkerConfig): Promise<string> {
  if (config.metricsPort === undefined) return "metrics: off (set WORKER_METRICS_PORT to serve GET /metrics)";
  const app = new Hono();
  if (!mountMetrics(app, metrics, config)) return "metrics: off (set ADMIN_TOKEN to enable them in production)";
  const port = await new Promise<number>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port: config.metricsPort }, (info) => resolve(info.port));
    server.on("error", (error: NodeJS.ErrnoException) => {
      const why = error.code === "EADDRINUSE" ? "it is already in use; set it to a free port" : error.message;
      reject(new Error(`The worker cannot serve its metrics on WORKER_METRICS_PORT ${config.metricsPort}: ${why}.`));
    });
  });
  return `metrics: http://localhost:${port}${METRICS_PATH}${config.production ? " (ADMIN_TOKEN required)" : ""}`;
}
