import { readdir } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundScript } from "./support/background.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from "./support/operations/redis-server.js";
import { findPostgres, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine } from "./support/fresh-machine.js";

/**
 * A generated project (`pnpm dev`: the server and the worker) while its queue's datastore
 * goes away and comes back: requests never hang (each answers within a few seconds),
 * readiness says what is down while liveness stays up, a signup still succeeds — its
 * welcome email waits in the database (the task outbox) — and once the datastore is back
 * everything resumes by itself: every user gets exactly one welcome email.
 */

const postgresUrl = await findPostgres();
const skip = missing("PostgreSQL", postgresUrl) || missing("redis-server (to start a throwaway Redis)", redisServerBinary());

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
  let mailDir: string;
  const signup = (email: string) =>
    call(`${baseUrl}/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) });

  beforeAll(async () => {
    const project = await generateProject({ queue: true, install: true });
    mailDir = path.join(project, ".data", "mail");
    redis = await startThrowawayRedis();
    database = await freshDatabase(postgresUrl as string, "outage");
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = await BackgroundScript.start(project, ["dev"], {
      ...freshMachine,
      REDIS_URL: redis.url,
      DATABASE_URL: database.url,
      PORT: String(port),
      TASKS_ENQUEUE_TIMEOUT_MS: "3000",
    });
    await server.waitFor(/app ready on/);
    await server.waitFor(/worker ready/);
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

  it("with it down: a signup still succeeds, its welcome email waiting in the database", async () => {
    const registered = await signup("during@example.com");
    expect(registered.status).toBe(201);
    const jobId = registered.body.job_id as string;
    expect(await call(`${baseUrl}/tasks/${jobId}`)).toEqual({ status: 200, body: { id: jobId, status: "queued" } });
    expect(server.output).not.toMatch(/^\s+at /m);
  });

  it("once it is back: readiness recovers, and every user has exactly one welcome email", async () => {
    await redis.start();
    await eventually("readiness to recover by itself", async () => (await call(`${baseUrl}/health/ready`)).status === 200);
    await eventually("the welcome email queued during the outage", async () => (await mails("during@example.com")) === 1);
    expect(await mails("before@example.com")).toBe(1);
    expect((await signup("after@example.com")).status).toBe(201);
    await eventually("the next welcome email", async () => (await mails("after@example.com")) === 1);
    expect(await mails("during@example.com")).toBe(1);
  });

  /** Welcome emails written for `address`. */
  async function mails(address: string): Promise<number> {
    return (await readdir(mailDir).catch(() => [])).filter((name) => name.includes(address) && name.endsWith(".eml")).length;
  }
});
