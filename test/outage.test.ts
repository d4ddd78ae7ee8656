import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundScript } from "./support/background.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from "./support/operations/redis-server.js";
import { findPostgres, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";

/**
 * A generated project's server while its queue's datastore goes away and comes back:
 * requests never hang (each answers within a few seconds), readiness says what is down
 * while liveness stays up, a signup that cannot queue its welcome email leaves no user
 * behind, and everything works again once the datastore is back — by itself.
 */

const postgresUrl = await findPostgres();
const skip = missing("PostgreSQL", postgresUrl) || missing("redis-server (to start a throwaway Redis)", redisServerBinary());

/** Nothing the generated project reads is set, as on a fresh machine. */
const freshMachine = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^(VITEST|REDIS_URL$|DATABASE_URL$|TASKS_|PORT$|NODE_ENV$|MAIL_DIR$)/.test(key)),
);

/** An HTTP call that must answer within `withinMs` (a hang guard, not a timing assertion). */
async function call(url: string, init: RequestInit = {}, withinMs = 15_000) {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(withinMs) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe.skipIf(skip)("the server while the queue's datastore is down", () => {
  let redis: ThrowawayRedis;
  let server: BackgroundScript;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let baseUrl: string;
  const signup = (email: string) =>
    call(`${baseUrl}/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });

  beforeAll(async () => {
    const project = await generateProject({ queue: true, install: true });
    redis = await startThrowawayRedis();
    database = await freshDatabase(postgresUrl as string, "outage");
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = await BackgroundScript.start(project, ["--filter", "@repo/app", "dev"], {
      ...freshMachine,
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
      PORT: String(port),
      TASKS_ENQUEUE_TIMEOUT_MS: "3000",
    });
    await server.waitFor(/app ready on/);
  }, 600_000);

  afterAll(async () => {
    server?.kill();
    await redis?.stop();
    await database?.drop();
  });

  it("answers as usual while it is up", async () => {
    const registered = await signup("before@example.com");
    expect(registered.status).toBe(201);
    expect(await call(`${baseUrl}/health/ready`)).toEqual({ status: 200, body: { ok: true, checks: { database: "up", queue: "up" } } });
  });

  it("with it down: readiness 503 naming the queue, liveness 200, and no request hangs", async () => {
    await redis.stop();
    expect(await call(`${baseUrl}/health/ready`)).toEqual({ status: 503, body: { ok: false, checks: { database: "up", queue: "down" } } });
    expect(await call(`${baseUrl}/health/live`)).toEqual({ status: 200, body: { ok: true } });
    const status = await call(`${baseUrl}/tasks/00000000-0000-4000-8000-000000000000`);
    expect(status.status).toBe(503);
    expect(status.body).toEqual({ error: "A service this request needs is unavailable; try again shortly." });
  });

  it("with it down: a signup answers 503 and leaves no user, so trying again later works", async () => {
    const failed = await signup("during@example.com");
    expect(failed).toEqual({ status: 503, body: { error: "Could not register right now; please try again." } });
    expect(server.output).toContain("[signup] could not queue the welcome email: Task sendWelcomeEmail could not be queued:");
    expect(server.output).not.toMatch(/^\s+at /m);

    await redis.start();
    await eventually("readiness to recover by itself", async () => (await call(`${baseUrl}/health/ready`)).status === 200);
    const again = await signup("during@example.com");
    expect(again.status).toBe(201); // not 409: the failed attempt left nothing behind
  });
});
