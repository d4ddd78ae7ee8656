// Operations of the core task runtime: clear connection errors with capped
// retries and recovery, the Redis eviction-policy warning, `pnpm worker:health`,
// and the Bull Board dashboard — on Redis, the machine's PostgreSQL and the
// embedded PostgreSQL. Real servers on 127.0.0.1 only; every wait is bounded.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { createServer, type Server, type Socket } from "node:net";
import path from "node:path";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "@repo/core";
import {
  openDatastore,
  type Datastore,
  type DatastoreConfig,
  type RetryInfo,
} from "../templates/queue/packages/core/src/tasks/datastore/index.js";
import { createDashboard } from "../templates/queue/packages/core/src/tasks/dashboard.js";
import { createWorker } from "../templates/queue/packages/core/src/tasks/index.js";
import { recordingLog } from "./support/operations/recording-log.js";
import { runWorkerHealth } from "./support/operations/worker-health.js";
import { redisServerBinary, startThrowawayRedis, type ThrowawayRedis } from "./support/operations/redis-server.js";
import { eventually, freePort, settledWithin } from "./support/waiting.js";
import { missing } from "./support/services.js";
import { postgresUrl, redisUrl, skipPostgres, skipRedis } from "./support/datastores.js";
import { tempDir as makeTempDir } from "./support/cli.js";

const skipThrowawayRedis = missing("redis-server (to start a throwaway Redis)", redisServerBinary());

// Fast retries keep the tests short; the production defaults are 500 ms doubling to 10 s.
const retry = { baseMs: 50, capMs: 400 };
const uniqueQueue = () => `ops-${randomUUID()}`;

/** Opens a worker that returns "done:<name>" and a producer queue; resolves a job's result. */
async function runOneJob(datastore: Datastore, queueName: string, jobName: string): Promise<unknown> {
  const queue = await datastore.openQueue(queueName);
  const job = await queue.add(jobName, { args: [] }, { removeOnComplete: false });
  let outcome: unknown;
  await eventually(`job ${jobName} completes`, async () => {
    const stored = await queue.getJob(job.id!);
    outcome = stored?.returnvalue;
    return outcome !== undefined && outcome !== null;
  });
  return outcome;
}

const processor = async (job: { name: string }) => `done:${job.name}`;

describe.skipIf(skipThrowawayRedis)("Redis connection errors", () => {
  let redis: ThrowawayRedis;
  beforeAll(async () => {
    redis = await startThrowawayRedis({ password: "s3cret" });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it("unreachable at startup: one clear error naming the redacted URL, retries with backoff, then carries on", async () => {
    await redis.stop();
    const log = recordingLog();
    const datastore = openDatastore({ kind: "redis", url: redis.url }, { log, retry });
    try {
      const retries: RetryInfo[] = [];
      const reachable = datastore.waitUntilReachable({ onRetry: (info) => retries.push(info) });
      const queueName = uniqueQueue();
      const worker = datastore.openConsumer(queueName, processor, { concurrency: 1 }); // waits too
      // Both settle when Redis is back, or reject when the datastore closes (after a failed assertion).
      reachable.catch(() => {});
      worker.catch(() => {});
      await eventually("several retries", () => retries.length >= 4);

      expect(log.errors).toHaveLength(1);
      const [error] = log.errors;
      expect(error).toContain(`Cannot reach Redis at redis://:***@127.0.0.1:${redis.port}`);
      expect(error).toContain("ECONNREFUSED");
      expect(error).toContain("REDIS_URL");
      expect(error).not.toContain("s3cret");
      expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, ...retries.slice(4).map((r) => r.attempt)]);
      expect(Math.max(...retries.map((r) => r.delayMs))).toBeLessThanOrEqual(retry.capMs);

      await redis.start();
      await reachable;
      const consumer = await worker;
      expect(await runOneJob(datastore, queueName, "afterOutage")).toBe("done:afterOutage");
      expect(log.infos.filter((line) => line.includes("reachable again"))).toHaveLength(1);
      expect(log.errors).toHaveLength(1);
      await consumer.close();
    } finally {
      await datastore.close();
    }
  });

  it("lost while running: reported once, and the worker carries on when Redis is back", async () => {
    await redis.start();
    const log = recordingLog();
    const datastore = openDatastore({ kind: "redis", url: redis.url }, { log, retry });
    const queueName = uniqueQueue();
    try {
      const worker = await datastore.openConsumer(queueName, processor, { concurrency: 1 });
      expect(await runOneJob(datastore, queueName, "before")).toBe("done:before");
      expect(log.errors).toEqual([]);

      await redis.stop();
      await eventually("the loss is reported", () => log.errors.length > 0);
      await redis.start(); // empty: nothing was persisted
      await eventually("the return is reported", () => log.infos.some((line) => line.includes("reachable again")));

      expect(await runOneJob(datastore, queueName, "after")).toBe("done:after");
      expect(log.errors).toHaveLength(1);
      expect(log.errors[0]).toContain(`Lost the connection to Redis at redis://:***@127.0.0.1:${redis.port}`);
      await worker.close();
    } finally {
      await datastore.close();
    }
  });

  it("a worker closes while Redis is away, its task listener and connections with it", async () => {
    await redis.start();
    const worker = createWorker({ queueName: uniqueQueue(), datastore: { kind: "redis", url: redis.url } });
    const noop = worker.task("noop", async () => "done");
    await worker.run({ handleSignals: false });
    const handle = await noop.enqueue();
    expect(await handle.result({ timeout: 30_000 })).toEqual({ success: true, value: "done" }); // its listener is open
    await redis.stop();
    await sleep(300); // every connection is waiting to reconnect by now
    // BullMQ alone waits for its connections' 'end', which ioredis never emits while it waits to reconnect.
    expect(await settledWithin(worker.close(), 20_000)).toEqual({ value: undefined });
  });

  it("closing the datastore ends a wait for an unreachable Redis", async () => {
    const datastore = openDatastore({ kind: "redis", url: `redis://127.0.0.1:${await freePort()}` }, { log: recordingLog(), retry });
    const waiting = datastore.waitUntilReachable();
    await datastore.close();
    await expect(waiting).rejects.toThrow(/closed/);
  });
});

describe.skipIf(skipThrowawayRedis)("Redis eviction policy", () => {
  /** Runs one job through a datastore on a throwaway Redis with this eviction policy, then `inspect`s the datastore's log while it is open. */
  async function withPolicy(
    policy: string,
    concurrency: number,
    inspect: (log: ReturnType<typeof recordingLog>, url: string) => Promise<void>,
  ) {
    const redis = await startThrowawayRedis({ args: ["--maxmemory-policy", policy] });
    const log = recordingLog();
    const datastore = openDatastore({ kind: "redis", url: redis.url }, { log, retry });
    try {
      const queueName = uniqueQueue();
      const worker = await datastore.openConsumer(queueName, processor, { concurrency });
      // The check runs when a connection becomes ready; a job round trip comes after that.
      expect(await runOneJob(datastore, queueName, policy)).toBe(`done:${policy}`);
      await datastore.openQueue(`${queueName}-other`); // more connections: still at most one warning
      await inspect(log, redis.url);
      await worker.close();
    } finally {
      await datastore.close();
      await redis.stop();
    }
  }

  it("a policy other than noeviction is reported once, clearly", async () => {
    await withPolicy("allkeys-lru", 2, async (log, url) => {
      await eventually("the warning", () => log.warnings.length > 0);
      expect(log.warnings).toHaveLength(1);
      expect(log.warnings[0]).toContain(`Redis at ${url} has maxmemory-policy "allkeys-lru"`);
      expect(log.warnings[0]).toContain('Set it to "noeviction"');
    });
  });

  it("noeviction gives no warning", async () => {
    await withPolicy("noeviction", 1, async (log) => {
      expect(log.warnings).toEqual([]);
      expect(log.errors).toEqual([]);
    });
  });
});

describe("PostgreSQL connection errors", () => {
  let tempDir: string;
  let embedded: EmbeddedPostgresServer | undefined;
  const dataDir = () => path.join(tempDir, "pg");
  // Persistent (not ephemeral) so a stopped server comes back on the same port with its data.
  const startServer = async () => {
    embedded ??= await startEmbeddedPostgres({ dataDir: dataDir() });
    return embedded;
  };
  const stopServer = async () => {
    const server = embedded;
    embedded = undefined;
    await server?.stop();
  };
  beforeAll(async () => {
    tempDir = await makeTempDir("operations-test-");
  });
  afterAll(async () => {
    await stopServer();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
  });

  it("unreachable at startup: one clear error naming the redacted URL, retries, and closing ends the wait", async () => {
    const url = `postgres://postgres:s3cret@127.0.0.1:${await freePort()}/app`;
    const log = recordingLog();
    const datastore = openDatastore({ kind: "postgres", url }, { log, retry });
    const retries: RetryInfo[] = [];
    const waiting = datastore.waitUntilReachable({ onRetry: (info) => retries.push(info) });
    waiting.catch(() => {});
    try {
      await eventually("several retries", () => retries.length >= 4);
      expect(log.errors).toHaveLength(1);
      expect(log.errors[0]).toContain(`Cannot reach PostgreSQL at ${url.replace("s3cret", "***")}`);
      expect(log.errors[0]).toContain("ECONNREFUSED");
      expect(log.errors[0]).toContain("DATABASE_URL");
      expect(log.errors[0]).not.toContain("s3cret");
      // A queue on an unreachable server fails at once, clearly, instead of hanging or staying broken.
      await expect(datastore.openQueue(uniqueQueue())).rejects.toThrow(/Cannot reach PostgreSQL at postgres:\/\/postgres:\*\*\*@/);
    } finally {
      await datastore.close();
    }
    await expect(waiting).rejects.toThrow(/closed/);
  });

  it("closing a listener is no outage: nothing is reported", async () => {
    const { url } = await startServer();
    const log = recordingLog();
    // Closing a listener as it starts to LISTEN fails that query ("Connection terminated") in
    // some rounds: enough rounds that reporting it as a lost connection shows.
    for (let round = 0; round < 30; round++) {
      const datastore = openDatastore({ kind: "postgres", url }, { log, retry });
      try {
        const queueName = uniqueQueue();
        const events = await datastore.openQueueEvents(queueName);
        await new Promise((resolve) => setTimeout(resolve, 0)); // as it starts to LISTEN
        // The order a worker shuts down in: its connections first, then the datastore.
        await events.close();
      } finally {
        await datastore.close();
      }
    }
    expect(log.errors).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  it("a worker started while PostgreSQL is down starts when it comes back, and survives a restart", async () => {
    const { url } = await startServer();
    await stopServer();
    const log = recordingLog();
    const datastore = openDatastore({ kind: "postgres", url }, { log, retry });
    const queueName = uniqueQueue();
    try {
      const retries: RetryInfo[] = [];
      const reachable = datastore.waitUntilReachable({ onRetry: (info) => retries.push(info) });
      const opening = datastore.openConsumer(queueName, processor, { concurrency: 1 });
      reachable.catch(() => {});
      opening.catch(() => {});
      await eventually("several retries", () => retries.length >= 3);
      expect(log.errors).toHaveLength(1);
      expect(log.errors[0]).toContain(`Cannot reach PostgreSQL at ${url.replace(":postgres@", ":***@")}`);

      expect((await startServer()).url).toBe(url); // same port: the port file keeps it
      await reachable;
      const worker = await opening;
      expect(await runOneJob(datastore, queueName, "afterStartup")).toBe("done:afterStartup");
      expect(log.infos.filter((line) => line.includes("reachable again"))).toHaveLength(1);

      // Lost while running: reported once; BullMQ's pools reconnect; the worker carries on.
      await stopServer();
      await eventually("the loss is reported", () => log.errors.length > 1);
      await startServer();
      await eventually("the return is reported", () => log.infos.filter((line) => line.includes("reachable again")).length > 1);
      expect(await runOneJob(datastore, queueName, "afterRestart")).toBe("done:afterRestart");
      expect(log.errors).toHaveLength(2);
      expect(log.errors[1]).toContain("Lost the connection to PostgreSQL at");
      await worker.close();
    } finally {
      await datastore.close();
    }
  });
});

const health = (env: Record<string, string>) => runWorkerHealth(env);

/** The health command's verdicts for one datastore: no worker, a live worker, another queue, a closed worker. */
async function healthFollowsTheWorker(config: DatastoreConfig, env: Record<string, string>): Promise<void> {
  const queueName = uniqueQueue();
  const before = await health({ ...env, TASKS_QUEUE: queueName });
  expect(before.output).toContain(`worker:health failing: no worker is processing queue "${queueName}"`);
  expect(before.code).toBe(1);

  const datastore = openDatastore(config, { log: recordingLog(), retry });
  try {
    const worker = await datastore.openConsumer(queueName, processor, { concurrency: 1 });
    const live = await health({ ...env, TASKS_QUEUE: queueName });
    expect(live.output).toContain(`worker:health ok: 1 worker(s) processing queue "${queueName}"`);
    expect(live.code).toBe(0);

    // Another project's queue on the same datastore is not this one.
    const otherQueue = await health({ ...env, TASKS_QUEUE: uniqueQueue() });
    expect(otherQueue.code).toBe(1);

    await worker.close();
    const after = await health({ ...env, TASKS_QUEUE: queueName });
    expect(after.output).toContain("no worker is processing");
    expect(after.code).toBe(1);
  } finally {
    await datastore.close();
  }
}

/** A TCP server on 127.0.0.1 that accepts connections and never answers: a hung datastore. */
async function silentServer(): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("no address");
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe("pnpm worker:health", () => {
  it.skipIf(skipRedis)("Redis: 0 with a live worker on this queue, 1 without", async () => {
    await healthFollowsTheWorker({ kind: "redis", url: redisUrl! }, { REDIS_URL: redisUrl! });
  });

  it.skipIf(skipPostgres)("PostgreSQL: 0 with a live worker on this queue, 1 without", async () => {
    await healthFollowsTheWorker({ kind: "postgres", url: postgresUrl! }, { DATABASE_URL: postgresUrl! });
  });

  it("embedded PostgreSQL: 1 while it is not running; 0 with a live worker; never starts it", async () => {
    const tempDir = await makeTempDir("operations-health-");
    const dataDir = path.join(tempDir, "pg");
    try {
      const stopped = await health({ EMBEDDED_POSTGRES_DIR: dataDir });
      expect(stopped.output).toContain(`worker:health failing: the embedded PostgreSQL (${dataDir}) is not running`);
      expect(stopped.code).toBe(1);
      expect(existsSync(dataDir)).toBe(false); // it looked, and started nothing

      const server = await startEmbeddedPostgres({ dataDir, ephemeral: true });
      try {
        await healthFollowsTheWorker({ kind: "postgres", url: server.url }, { EMBEDDED_POSTGRES_DIR: dataDir });
      } finally {
        await server.stop();
      }
    } finally {
      await rm(tempDir, { recursive: true, force: true });
    }
  });

  it("1 when the datastore is down or hangs, with the URL redacted", async () => {
    const downRedis = await health({ REDIS_URL: `redis://:s3cret@127.0.0.1:${await freePort()}` });
    expect(downRedis.output).toMatch(/^worker:health failing: cannot reach Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+.*ECONNREFUSED/);
    expect(downRedis.code).toBe(1);

    const downPostgres = await health({ DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${await freePort()}/app` });
    expect(downPostgres.output).toMatch(/^worker:health failing: cannot reach PostgreSQL at postgres:\/\/app:\*\*\*@127\.0\.0\.1/);
    expect(downPostgres.code).toBe(1);
    expect(downRedis.output + downPostgres.output).not.toContain("s3cret");

    const hung = await silentServer();
    try {
      const env = { WORKER_HEALTH_TIMEOUT_MS: "1500" };
      const hungRedis = await health({ ...env, REDIS_URL: `redis://127.0.0.1:${hung.port}` });
      expect(hungRedis.output).toContain(`worker:health failing: Redis at redis://127.0.0.1:${hung.port} did not answer within 1500 ms`);
      expect(hungRedis.code).toBe(1);
      const hungPostgres = await health({ ...env, DATABASE_URL: `postgres://app@127.0.0.1:${hung.port}/app` });
      expect(hungPostgres.code).toBe(1);
      expect(hungPostgres.output).toMatch(/worker:health failing: .*PostgreSQL at postgres:\/\/app@127\.0\.0\.1/);
    } finally {
      await hung.close();
    }
  });
});

/** Serves `app` on 127.0.0.1 (a free port) and resolves its base URL and a stop function. */
async function serveOnLoopback(app: Hono): Promise<{ origin: string; stop(): Promise<void> }> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info) => {
      resolve({
        origin: `http://127.0.0.1:${info.port}`,
        stop: () => new Promise((done) => server.close(() => done())),
      });
    });
  });
}

interface QueuesResponse {
  queues: { name: string; counts: Record<string, number>; jobs: { id: string; name: string; data: unknown }[] }[];
}

/** Mounts the dashboard in a Hono app as the app server will, and reads it over HTTP like a browser. */
async function dashboardShowsTheQueue(config: DatastoreConfig): Promise<void> {
  const queueName = uniqueQueue();
  const datastore = openDatastore(config, { log: recordingLog(), retry });
  const dashboard = await createDashboard({ basePath: "/admin/queues", queueNames: [queueName], datastore: config });
  const app = new Hono();
  app.get("/", (c) => c.text("the app"));
  app.route(dashboard.basePath, dashboard.app);
  const server = await serveOnLoopback(app);
  try {
    // A known job, delayed so that it stays put (no worker runs here).
    const queue = await datastore.openQueue(queueName);
    await queue.add("sendWelcomeEmail", { args: ["user-42"] }, { jobId: "known-job", delay: 3_600_000 });

    const page = await fetch(`${server.origin}/admin/queues`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<title>Tasks</title>");
    // The UI's own script, served from the mount point.
    const base = /<base href="([^"]+)"/.exec(html)?.[1];
    expect(base).toBe("/admin/queues/");
    const script = /src="([^"]+\.js)"/.exec(html)?.[1];
    expect(script).toMatch(/^static\//);
    const asset = await fetch(new URL(`${base}${script}`, server.origin));
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/javascript/);

    const api = await fetch(`${server.origin}/admin/queues/api/queues?activeQueue=${queueName}&status=delayed&page=1&jobsPerPage=10`);
    expect(api.status).toBe(200);
    const { queues } = (await api.json()) as QueuesResponse;
    expect(queues.map((q) => q.name)).toEqual([queueName]);
    expect(queues[0]!.counts.delayed).toBe(1);
    expect(queues[0]!.jobs).toEqual([expect.objectContaining({ id: "known-job", name: "sendWelcomeEmail", data: { args: ["user-42"] } })]);

    const job = await fetch(`${server.origin}/admin/queues/api/queues/${queueName}/known-job`);
    expect(job.status).toBe(200);
    // The datastore panel: Redis INFO, or PostgreSQL's own statistics.
    const stats = (await fetch(`${server.origin}/admin/queues/api/redis/stats`).then((r) => r.json())) as { backend: string };
    expect(stats.backend).toBe(config.kind);
    expect(await fetch(`${server.origin}/`).then((r) => r.text())).toBe("the app"); // the app's own routes are untouched
    await queue.obliterate({ force: true });
  } finally {
    await server.stop();
    await dashboard.close();
    await datastore.close();
  }
}

describe("Bull Board dashboard", () => {
  it.skipIf(skipRedis)("shows the queue and a known job on Redis", async () => {
    await dashboardShowsTheQueue({ kind: "redis", url: redisUrl! });
  });

  it.skipIf(skipPostgres)("shows the queue and a known job on PostgreSQL", async () => {
    await dashboardShowsTheQueue({ kind: "postgres", url: postgresUrl! });
  });
});

/** BullMQ's own Worker options show what the datastore passed through. */
async function settingsReachBullMQ(config: DatastoreConfig): Promise<void> {
  const datastore = openDatastore(config, { log: recordingLog(), retry });
  try {
    const settings = { concurrency: 3, lockDuration: 8_000, stalledInterval: 4_000, maxStalledCount: 2 };
    const worker = await datastore.openConsumer(uniqueQueue(), processor, settings);
    expect(worker.opts).toMatchObject(settings);
    await worker.close();
  } finally {
    await datastore.close();
  }
}

describe("consumer settings", () => {
  it.skipIf(skipRedis)("Redis: lock and stall settings reach BullMQ's Worker", () =>
    settingsReachBullMQ({ kind: "redis", url: redisUrl! }),
  );
  it.skipIf(skipPostgres)("PostgreSQL: lock and stall settings reach BullMQ's Worker", () =>
    settingsReachBullMQ({ kind: "postgres", url: postgresUrl! }),
  );
});
