import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundScript } from "./support/background.js";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { pnpm } from "./support/pnpm.js";
import { findPostgres, findRedis, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine, postSignup } from "./support/fresh-machine.js";

/**
 * Prometheus metrics of a generated project built and run in production: the server's
 * `GET /metrics` (what it queued, the queue by state) and a worker's own, on
 * WORKER_METRICS_PORT (the attempts it ran: by outcome, durations, waits) — both behind
 * ADMIN_TOKEN. Three signups, one of whose welcome tasks fails every attempt (its
 * webhook answers 500), and the scrapes count exactly that.
 */

const redisUrl = await findRedis();
const postgresUrl = await findPostgres();
const skip = missing("Redis", redisUrl) || missing("PostgreSQL", postgresUrl);

const TOKEN = "metrics-test-admin-token-0123456789";
/** The value of the sample `name{labels}` in a Prometheus text exposition (labels in any order), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map(([, key, value]) => [key, value]));
    if (Object.keys(found).length === Object.keys(labels).length && Object.entries(labels).every(([key, value]) => found[key] === value)) {
      return Number(match[3]);
    }
  }
  return undefined;
}

describe.skipIf(skip)("metrics of a generated project in production", () => {
  let project: string;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let webhook: Server;
  const scripts: BackgroundScript[] = [];

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const build = await pnpm(["build"], { cwd: project, reject: false });
    expect(build.exitCode, build.all).toBe(0);
    database = await freshDatabase(postgresUrl as string, "metrics");
    // The welcome email's webhook: refuses one address, every time.
    webhook = createServer((request, response) => {
      let body = "";
      request.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      request.on("end", () => response.writeHead(body.includes("refused@example.com") ? 500 : 200).end());
    });
    await new Promise<void>((resolve) => webhook.listen(0, "127.0.0.1", resolve));
  }, 600_000);

  afterAll(async () => {
    for (const script of scripts) script.kill();
    webhook?.close();
    await database?.drop();
  });

  /** Production, on the machine's Redis and a database of the test's own, with the admin token; a fresh queue each time. */
  async function productionEnv(): Promise<Record<string, string>> {
    return {
      ...freshMachine,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl as string,
      TASKS_QUEUE: `metrics-${Date.now().toString(36)}`,
      TASKS_OUTBOX_POLL_MS: "100",
      MAIL_DIR: await tempDir("metrics-mail-"),
      ADMIN_TOKEN: TOKEN,
    };
  }

  it("the server's scrape counts what it queued and the queue by state; the worker's, its attempts by outcome, their durations and waits", async () => {
    const [port, metricsPort] = [await freePort(), await freePort()];
    const address = webhook.address();
    if (!address || typeof address === "string") throw new Error("no webhook port");
    const env = { ...(await productionEnv()), WELCOME_WEBHOOK_URL: `http://127.0.0.1:${address.port}/welcome` };
    const server = await BackgroundScript.start(project, ["start"], { ...env, PORT: String(port) });
    const worker = await BackgroundScript.start(project, ["worker"], { ...env, WORKER_METRICS_PORT: String(metricsPort) });
    scripts.push(server, worker);
    await server.waitFor(/app ready on/);
    await worker.waitForLog("where its metrics are", (record) =>
      /^metrics: http:\/\/localhost:\d+\/metrics \(ADMIN_TOKEN required\)$/.test(record.msg),
    );
    await worker.waitFor(/worker ready/);
    expect(server.output).toMatch(/metrics: http:\/\/localhost:\d+\/metrics \(ADMIN_TOKEN required\)/);

    const ids: string[] = [];
    for (const email of ["ada@example.com", "bob@example.com", "refused@example.com"]) {
      const { status, taskId } = await postSignup(`http://127.0.0.1:${port}`, email);
      expect(status).toBe(201);
      ids.push(taskId as string);
    }
    const status = async (id: string) =>
      ((await (await fetch(`http://127.0.0.1:${port}/tasks/${id}`)).json()) as { status: string }).status;
    // The refused one: 4 attempts (3 retries, backoff 1 s, 2 s, 4 s), then it gives up.
    await eventually("two welcomes to complete and one to fail", async () => {
      const statuses = await Promise.all(ids.map(status));
      return statuses.join() === "completed,completed,failed";
    });

    const scrape = async (url: string, token?: string) => {
      const response = await fetch(url, token ? { headers: { authorization: `Bearer ${token}` } } : {});
      return { status: response.status, type: response.headers.get("content-type"), text: await response.text() };
    };
    const serverUrl = `http://127.0.0.1:${port}/metrics`;
    const workerUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    expect((await scrape(serverUrl)).status).toBe(401);
    expect((await scrape(workerUrl)).status).toBe(401);
    expect((await scrape(workerUrl, "not-the-token-at-all-0000")).status).toBe(401);

    const fromServer = await scrape(serverUrl, TOKEN);
    expect(fromServer.status).toBe(200);
    expect(fromServer.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const task = { task: "sendWelcomeEmail" };
    expect(sample(fromServer.text, "tasks_enqueued_total", task)).toBe(3);
    expect(sample(fromServer.text, "tasks", { state: "completed" })).toBe(2);
    expect(sample(fromServer.text, "tasks", { state: "failed" })).toBe(1);
    expect(sample(fromServer.text, "tasks", { state: "queued" })).toBe(0);
    // Node's own metrics too. (Its CPU counters count from the first scrape, this one: they may read 0.)
    expect(sample(fromServer.text, "nodejs_heap_size_total_bytes")).toBeGreaterThan(0);
    expect(sample(fromServer.text, "process_cpu_user_seconds_total")).toBeGreaterThanOrEqual(0);

    const fromWorker = (await scrape(workerUrl, TOKEN)).text;
    expect(sample(fromWorker, "task_attempts_total", { ...task, outcome: "completed" })).toBe(2);
    expect(sample(fromWorker, "task_attempts_total", { ...task, outcome: "retried" })).toBe(3);
    expect(sample(fromWorker, "task_attempts_total", { ...task, outcome: "failed" })).toBe(1);
    expect(sample(fromWorker, "task_run_duration_seconds_count", task)).toBe(6);
    expect(sample(fromWorker, "task_wait_seconds_count", task)).toBe(3);
    expect(sample(fromWorker, "task_wait_seconds_bucket", { ...task, le: "+Inf" })).toBe(3);
    // The worker queued nothing; the server ran nothing.
    expect(sample(fromWorker, "tasks_enqueued_total", task)).toBeUndefined();
    expect(sample(fromServer.text, "task_attempts_total", { ...task, outcome: "completed" })).toBeUndefined();
  });

  it("a worker whose WORKER_METRICS_PORT is taken says so in one line and exits 1 before taking a task", async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, resolve)); // every interface, as the worker listens
    const { port } = taken.address() as { port: number };
    try {
      const worker = await BackgroundScript.start(project, ["worker"], { ...(await productionEnv()), WORKER_METRICS_PORT: String(port) });
      scripts.push(worker);
      const { exitCode } = await worker.exited;
      expect(exitCode).not.toBe(0);
      expect(worker.output).toContain(
        `The worker cannot serve its metrics on WORKER_METRICS_PORT ${port}: it is already in use; set it to a free port.`,
      );
      expect(worker.output).not.toContain("worker ready");
      expect(worker.output).not.toMatch(/^\s+at /m);
    } finally {
      taken.close();
    }
  });
});
