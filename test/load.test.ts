import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allWelcomed, signupLoad } from "../bench/load/signups.mjs";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "@repo/core";
import { BackgroundScript } from "./support/background.js";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from "./support/operations/redis-server.js";
import { pnpm } from "./support/pnpm.js";
import { findPostgres, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine } from "./support/fresh-machine.js";

/**
 * A generated project built and run in production (`pnpm start` + `pnpm worker`) under
 * load — 2,000 signups, 50 at a time, with the queue on Redis and on PostgreSQL — and
 * under chaos: the queue's Redis, then the PostgreSQL (with the queue on Redis, and with
 * the queue in that same PostgreSQL), stopped for 10 s in the middle of a run and started
 * again. No request hangs; a signup answers 201 (its user and welcome email committed
 * together) or, while the database is down, 503 (neither); everything recovers by
 * itself; and every registered user gets exactly one welcome email.
 */

const postgresUrl = await findPostgres();
const skip = missing("PostgreSQL", postgresUrl) || missing("redis-server (to start a throwaway Redis)", redisServerBinary());

/**
 * What became of each address: exactly one welcome email per 201, none otherwise. A
 * failure shows the end of the worker's output: why the missing emails were not sent.
 */
function expectOneEmailPerRegisteredUser(statuses: Map<string, number>, mails: Map<string, number>, worker: BackgroundScript) {
  const registered = [...statuses].filter(([, status]) => status === 201).map(([address]) => address);
  const refused = [...statuses].filter(([, status]) => status !== 201).map(([address]) => address);
  const workerOutput = `the worker's output ends:\n${worker.output.slice(-6_000)}`;
  expect(
    registered.filter((address) => mails.get(address) !== 1),
    workerOutput,
  ).toEqual([]);
  expect(
    refused.filter((address) => mails.has(address)),
    workerOutput,
  ).toEqual([]);
  return { registered: registered.length, refused: refused.length };
}

describe.skipIf(skip)("a generated project in production, under load and chaos", () => {
  let project: string;
  const scripts: BackgroundScript[] = [];
  const cleanups: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const build = await pnpm(["build"], { cwd: project, reject: false });
    expect(build.exitCode, build.all).toBe(0);
  }, 600_000);

  afterAll(async () => {
    for (const script of scripts) script.kill();
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
  });

  /** The built server and one worker on this database and, with `redisUrl`, a queue on Redis (else in the database); both ready. */
  async function deploy(databaseUrl: string, redisUrl?: string) {
    const port = await freePort();
    const mailDir = await tempDir("load-mail-");
    const env = {
      ...freshMachine,
      DATABASE_URL: databaseUrl,
      ...(redisUrl ? { REDIS_URL: redisUrl } : {}),
      MAIL_DIR: mailDir,
      PORT: String(port),
      TASKS_QUEUE: `load-${Date.now().toString(36)}`,
      TASKS_CONCURRENCY: "20",
      // The load comes from one client: no per-client limit here.
      SIGNUP_RATE_LIMIT: "1000000",
    };
    const server = await BackgroundScript.start(project, ["start"], env);
    const worker = await BackgroundScript.start(project, ["worker"], env);
    scripts.push(server, worker);
    await server.waitFor(/app ready on/);
    await worker.waitFor(/worker ready/);
    return { baseUrl: `http://127.0.0.1:${port}`, mailDir, server, worker };
  }

  /** A fresh database on the machine's PostgreSQL, and a throwaway Redis for `queue: "redis"`. */
  async function datastores(queue: "redis" | "postgres", label: string) {
    const database = await freshDatabase(postgresUrl as string, label);
    cleanups.push(() => database.drop());
    if (queue === "postgres") return { databaseUrl: database.url };
    const redis = await startThrowawayRedis();
    cleanups.push(() => redis.stop());
    return { databaseUrl: database.url, redisUrl: redis.url };
  }

  it.each(["redis", "postgres"] as const)(
    "2,000 signups, 50 at a time, queue on %s: none fails, each user gets exactly one welcome email",
    async (queue) => {
      const { databaseUrl, redisUrl } = await datastores(queue, `load${queue}`);
      const { baseUrl, mailDir, worker } = await deploy(databaseUrl, redisUrl);

      const load = await signupLoad({ baseUrl, count: 2_000, connections: 50, prefix: `load${queue}` });
      expect(load.errors).toBe(0);
      expect([...load.statuses.values()].filter((status) => status !== 201)).toEqual([]);
      const { counts, seconds } = await allWelcomed(mailDir, [...load.statuses.keys()], 120_000);
      expect(expectOneEmailPerRegisteredUser(load.statuses, counts, worker)).toEqual({ registered: 2_000, refused: 0 });
      console.log(
        `[load] queue on ${queue}: 2000 signups, ${Math.round(load.requestsPerSecond)} req/s, ` +
          `latency p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms; every email sent ${seconds.toFixed(1)} s after the last answer`,
      );
    },
  );

  it("Redis stopped for 10 s mid-run: signups keep succeeding, and the emails follow once it is back", async () => {
    // Persisted as BullMQ needs a production Redis to be (every write in the append-only
    // file): tasks queued before the stop are still there after it, as after a real restart.
    const aof = ["--appendonly", "yes", "--appendfsync", "always", "--dir", await tempDir("load-redis-")];
    const redis: ThrowawayRedis = await startThrowawayRedis({ args: aof });
    cleanups.push(() => redis.stop());
    const database = await freshDatabase(postgresUrl as string, "chaosredis");
    cleanups.push(() => database.drop());
    const { baseUrl, mailDir, worker } = await deploy(database.url, redis.url);

    // 100 a second for 20 s; the outage from about 5 s to 15 s.
    const running = signupLoad({ baseUrl, count: 2_000, connections: 50, rate: 100, prefix: "redisdown" });
    await sleep(5_000);
    await redis.stop();
    await sleep(10_000);
    await redis.start();
    const load = await running;
    expect(load.errors).toBe(0);
    // The welcome emails waited in the database (the task outbox) meanwhile: no signup failed.
    expect([...load.statuses.values()].filter((status) => status !== 201)).toEqual([]);
    const { counts, seconds } = await allWelcomed(mailDir, [...load.statuses.keys()], 120_000);
    expect(expectOneEmailPerRegisteredUser(load.statuses, counts, worker).registered).toBe(2_000);
    console.log(
      `[chaos] Redis down 10 s: 2000 signups, all 201, latency p99 ${load.latency.p99} ms, max ${load.latency.max} ms; ` +
        `every email sent ${seconds.toFixed(1)} s after the last answer`,
    );
    expect(worker.output).toContain("Lost the connection to Redis");
    expect(worker.output).toMatch(/is reachable again|queueing tasks again/);
  });

  it.each(["redis", "postgres"] as const)(
    "PostgreSQL stopped for 10 s mid-run, queue on %s: signups answer 503 quickly meanwhile, then succeed; every user registered is welcomed once",
    async (queue) => {
      let redisUrl: string | undefined;
      if (queue === "redis") {
        const redis = await startThrowawayRedis();
        cleanups.push(() => redis.stop());
        redisUrl = redis.url;
      }
      // An embedded server of its own, to stop and start: the database and, with queue "postgres", the queue.
      const dataDir = path.join(await tempDir("load-postgres-"), "pg");
      let postgres: EmbeddedPostgresServer = await startEmbeddedPostgres({ dataDir });
      cleanups.push(() => postgres.stop());
      const { baseUrl, mailDir, server, worker } = await deploy(postgres.url, redisUrl);

      const running = signupLoad({ baseUrl, count: 2_000, connections: 50, rate: 100, prefix: `pgdown${queue}` });
      await sleep(5_000);
      await postgres.stop();
      const during = Date.now();
      const answer = await fetch(`${baseUrl}/signup`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"email":"probe@example.com"}',
      });
      expect(answer.status, `${await answer.text()}\n${server.output.slice(-3000)}`).toBe(503);
      expect(Date.now() - during).toBeLessThan(10_000); // a hang guard, not a timing assertion
      await sleep(10_000);
      postgres = await startEmbeddedPostgres({ dataDir }); // the same data, the same port
      const load = await running;
      expect(load.errors).toBe(0);
      const statuses = [...load.statuses.values()];
      expect(statuses.filter((status) => status !== 201 && status !== 503)).toEqual([]);
      expect(statuses.filter((status) => status === 503).length).toBeGreaterThan(0);
      await eventually("signups to succeed again", async () => {
        const response = await fetch(`${baseUrl}/signup`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"email":"after-${Date.now()}@example.com"}`,
          signal: AbortSignal.timeout(10_000),
        });
        return response.status === 201;
      });
      const registered = [...load.statuses].filter(([, status]) => status === 201).map(([address]) => address);
      // Well within the test's timeout: a failure then says which emails are missing, and why.
      const { counts, seconds } = await allWelcomed(mailDir, registered, 90_000);
      const outcome = expectOneEmailPerRegisteredUser(load.statuses, counts, worker);
      console.log(
        `[chaos] PostgreSQL down 10 s, queue on ${queue}: ${outcome.registered} signups 201, ${outcome.refused} 503; ` +
          `latency p99 ${load.latency.p99} ms, max ${load.latency.max} ms; every email sent ${seconds.toFixed(1)} s after the last answer`,
      );
      // Hundreds of refused requests, a handful of log lines: the first, then a count every 5 s.
      const refusals = server.logRecords.filter((record) => record.component === "app" && record.level === "warn");
      expect(refusals.length).toBeGreaterThan(0);
      expect(refusals.length).toBeLessThan(20);
      expect(refusals.map((record) => record.msg)).toContainEqual(expect.stringMatching(/^…and \d+ more like it in the last 5 s/));
      expect(worker.groupAlive()).toBe(true);
    },
  );
});
