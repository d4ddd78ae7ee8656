import { db, describeError, logger } from "@repo/core";
import { type Context, Hono } from "hono";
import { queueHealthChecks } from "../queue.js";

/** How long one dependency may take to answer a readiness check. */
const CHECK_TIMEOUT_MS = 2_000;

type Check = () => Promise<unknown>;

/** Each dependency of the app, asked in parallel, bounded: "up", or why it is down. */
async function runChecks(checks: Record<string, Check>): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS);
      });
      try {
        await Promise.race([check(), timeout]);
        return [name, "up"] as const;
      } catch (error) {
        logger("health").warn(`${name} is down: ${describeError(error)}`);
        return [name, "down"] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

/**
 * Health for load balancers and orchestrators:
 * - `GET /health/live` — liveness: 200 while the process serves requests (restart it if not);
 * - `GET /health/ready` (and `GET /health`) — readiness: 200 when the database (and, with the
 *   job queue, the queue's datastore) answers within 2 s, 503 otherwise, with each dependency
 *   "up" or "down" (send traffic only while 200).
 */
async function readiness(c: Context) {
  const checks = await runChecks({ database: () => db.query("SELECT 1"), ...queueHealthChecks() });
  const ok = Object.values(checks).every((state) => state === "up");
  return c.json({ ok, checks }, ok ? 200 : 503);
}

export const healthRoutes = new Hono()
  .get("/health/live", (c) => c.json({ ok: true }))
  .get("/health/ready", readiness)
  .get("/health", readiness);
