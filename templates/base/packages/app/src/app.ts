import { describeError, isUnavailable } from "@repo/core";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import type { AppConfig } from "./config.js";
import { mountQueueRoutes } from "./queue.js";
import { healthRoutes } from "./routes/health.js";
import { signupRoutes } from "./routes/signup.js";

/**
 * The HTTP app, without a listening socket: `src/main.ts` serves it, tests call
 * `app.request(...)`. Add your routes here.
 */
export function createApp(config: AppConfig): Hono {
  const app = new Hono();
  app.route("/", healthRoutes);
  app.route("/", signupRoutes);
  mountQueueRoutes(app, config);

  app.notFound((c) => c.json({ error: `No route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    // Hono's own errors (e.g. 413 from bodyLimit) keep their status.
    if (error instanceof HTTPException) return c.json({ error: error.message || "Request rejected" }, error.status);
    // The database or the queue is down: the request was fine, and may be retried shortly.
    if (isUnavailable(error)) {
      // The cause, not the error: Drizzle's wrapper carries the query and its parameters.
      console.error(`[app] ${c.req.method} ${c.req.path}: ${describeError(error.cause ?? error)}`);
      c.header("Retry-After", "5");
      return c.json({ error: "A service this request needs is unavailable; try again shortly." }, 503);
    }
    console.error(`[app] ${c.req.method} ${c.req.path} failed:`, error);
    return c.json({ error: "Internal server error" }, 500);
  });
  return app;
}
