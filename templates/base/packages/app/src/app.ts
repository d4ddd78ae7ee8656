import { getConnInfo } from "@hono/node-server/conninfo";
import { httpInstrumentationMiddleware } from "@hono/otel";
import { createBurstLog, describeError, isTracing, isUnavailable, logger } from "@repo/core";
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { secureHeaders } from "hono/secure-headers";
import { pinoLogger } from "hono-pino";
import { rateLimiter } from "hono-rate-limiter";
import type { AppConfig } from "./config.js";
import { mountQueueRoutes } from "./queue.js";
import { healthRoutes } from "./routes/health.js";
import { signupRoutes } from "./routes/signup.js";

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The client's address, for per-client limits: the peer of the connection. (Behind a
 * proxy every request comes from the proxy: key on its forwarded-for header instead,
 * once you trust it.) Requests made in tests have no connection: one shared key.
 */
function clientAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    return "unknown";
  }
}

/** Health checks and metric scrapes: machines asking, every few seconds. */
const isProbe = (path: string) => path.startsWith("/health") || path === "/metrics";

/**
 * The HTTP app, without a listening socket: `src/main.ts` serves it, tests call
 * `app.request(...)`. Add your routes here.
 */
export function createApp(config: AppConfig): Hono {
  const app = new Hono();
  // While the database is down every request fails alike: one line a burst, not one a request.
  const logUnavailable = createBurstLog((line) => logger("app").warn(line));
  // With tracing on (OTEL_EXPORTER_OTLP_ENDPOINT), a span per request, continuing a caller's
  // trace (traceparent header); the tasks a request queues continue it in turn.
  if (isTracing()) app.use(httpInstrumentationMiddleware());
  // A line per request (component "http": method, path, status, responseTime; the trace id
  // with tracing on). Never the headers or the body: they carry tokens and addresses.
  // Probes and scrapes come every few seconds: debug, below the default LOG_LEVEL.
  app.use(
    pinoLogger({
      pino: logger("http"),
      http: {
        reqId: false,
        onReqBindings: (c) => ({ req: { method: c.req.method, url: c.req.path } }),
        onResBindings: (c) => ({ res: { status: c.res.status } }),
        onResLevel: (c) => (c.res.status >= 500 ? "error" : isProbe(c.req.path) ? "debug" : "info"),
        onResMessage: (c) => `${c.req.method} ${c.req.path} ${c.res.status}`,
      },
    }),
  );
  // What a production server owes its clients: the usual security headers, a cap on
  // request bodies, and a limit on signups per client (each one sends an email).
  app.use(secureHeaders());
  app.use(
    bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `The body must be at most ${MAX_BODY_BYTES} bytes` }, 413) }),
  );
  app.use(
    "/signup",
    rateLimiter({
      windowMs: 60_000,
      limit: config.signupRateLimit ?? 10,
      keyGenerator: clientAddress,
      handler: (c) => c.json({ error: "Too many signups from here; try again in a minute." }, 429),
    }),
  );
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
      logUnavailable(`${c.req.method} ${c.req.path}: ${describeError(error.cause ?? error)}`);
      c.header("Retry-After", "5");
      return c.json({ error: "A service this request needs is unavailable; try again shortly." }, 503);
    }
    logger("app").error({ err: error }, `${c.req.method} ${c.req.path} failed`);
    return c.json({ error: "Internal server error" }, 500);
  });
  return app;
}
