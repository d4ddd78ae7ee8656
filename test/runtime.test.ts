// Unit tests of the generated core runtime (templates/*/packages/core), run in
// place against every datastore it supports: Redis, the machine's PostgreSQL and
// the embedded PostgreSQL. No mocks: real servers, real queues.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { randomUUID } from "node:crypto";
import { chmod, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { TransactionRollbackError, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  coreMigrations,
  createDatabase,
  createUserModel,
  isUnavailable,
  migrate,
  ServiceUnavailableError,
  startEmbeddedPostgres,
  type Database,
  type EmbeddedPostgresServer,
} from "@repo/core";
import { TaskTimeoutError, createWorker, type DatastoreConfig } from "@repo/core/tasks";
import { tempDir as makeTempDir } from "./support/cli.js";
import { startFreezingProxy } from "./support/freezing-proxy.js";
import { openRawQueue } from "./support/raw-queue.js";
import { eventually, settledWithin } from "./support/waiting.js";
import { postgresUrl, redisUrl, skipPostgres, skipRedis } from "./support/datastores.js";

const runId = `${process.pid}-${Date.now().toString(36)}`;

// One embedded server for the file, in a temp dir (never the repo's .data/).
let embedded: EmbeddedPostgresServer;
let tempDir: string;
beforeAll(async () => {
  tempDir = await makeTempDir("runtime-test-");
  embedded = await startEmbeddedPostgres({ dataDir: path.join(tempDir, "pg"), ephemeral: true });
});
afterAll(async () => {
  await embedded?.stop();
  if (tempDir) await rm(tempDir, { recursive: true, force: true });
});

const embeddedUrl = () => embedded.url;

describe("embedded PostgreSQL", () => {
  it("answers queries and is found again instead of started twice", async () => {
    expect(embedded.owned).toBe(true);
    const again = await startEmbeddedPostgres({ dataDir: embedded.dataDir });
    expect(again).toMatchObject({ url: embedded.url, owned: false });
    await again.stop(); // not the owner: a no-op
    const database = createDatabase({ url: embedded.url });
    const { rows } = await database.query<{ ok: number }>("SELECT 1 AS ok");
    expect(rows).toEqual([{ ok: 1 }]);
    await database.close();
  });

  it("a connection dropped inside a transaction fails that transaction as unavailable, and the pool goes on", async () => {
    const database = createDatabase({ url: embedded.url, max: 2 });
    const orm = drizzle({ client: database.pool });
    try {
      const failed = await orm
        .transaction(async (tx) => {
          const { rows } = await tx.execute<{ pid: number }>(sql`SELECT pg_backend_pid() AS pid`);
          // What a server shutting down does to every session: between two queries, this one ends.
          await database.query("SELECT pg_terminate_backend($1)", [rows[0]?.pid]);
          await new Promise((resolve) => setTimeout(resolve, 200));
          await tx.execute(sql`SELECT 1`);
        })
        .catch((error: unknown) => error);
      // Without a listener on the checked-out client, pg's 'error' event would have ended this process.
      expect(isUnavailable(failed)).toBe(true);
      const { rows } = await database.query<{ ok: number }>("SELECT 1 AS ok");
      expect(rows).toEqual([{ ok: 1 }]);
    } finally {
      await database.close();
    }
  });

  it.runIf(process.getuid?.() === 0)("as root in a private folder, says why it cannot run and what to do", async () => {
    const privateDir = path.join(tempDir, "private");
    await mkdir(privateDir, { mode: 0o700 });
    await chmod(privateDir, 0o700);
    const started = startEmbeddedPostgres({ dataDir: path.join(privateDir, "pg"), ephemeral: true });
    await expect(started).rejects.toThrow(
      `The embedded PostgreSQL cannot run here: as root it runs as the "postgres" user, who cannot enter ${privateDir} (mode 700). ` +
        `Move the project out of ${privateDir} (e.g. to /srv or /opt), run as a regular user, let others enter it (chmod o+x ${privateDir}), ` +
        "or set DATABASE_URL to a PostgreSQL server.",
    );
  });

  it("is shared between processes: two starting together get one server", async () => {
    const dataDir = path.join(tempDir, "shared");
    const moduleUrl = new URL("../templates/base/packages/core/src/db/embedded-postgres.ts", import.meta.url).href;
    // Each child starts (or finds) the server, prints what it got, and holds on until stdin closes.
    const script = `
      const { startEmbeddedPostgres } = await import(${JSON.stringify(moduleUrl)});
      const server = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(dataDir)}, ephemeral: true });
      console.log(JSON.stringify({ url: server.url, owned: server.owned }));
      process.stdin.resume();
      process.stdin.on("end", async () => { await server.stop(); process.exit(0); });`;
    const children = [0, 1].map(() =>
      spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
        cwd: fileURLToPath(new URL("..", import.meta.url)),
        stdio: ["pipe", "pipe", "inherit"],
      }),
    );
    const outputs = await Promise.all(
      children.map(
        (child) =>
          new Promise<{ url: string; owned: boolean }>((resolve, reject) => {
            let out = "";
            child.stdout!.on("data", (chunk: Buffer) => {
              out += chunk.toString();
              if (out.includes("\n")) resolve(JSON.parse(out.trim()) as { url: string; owned: boolean });
            });
            child.once("exit", (code) => reject(new Error(`child exited ${code} before reporting: ${out}`)));
          }),
      ),
    );
    // Non-owner first, so the server outlives its last user.
    const order = outputs[0]!.owned ? [1, 0] : [0, 1];
    for (const index of order) {
      const child = children[index]!;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.stdin!.end();
      expect(await exited).toBe(0);
    }
    expect(outputs[0]!.url).toBe(outputs[1]!.url);
    expect(outputs.filter((output) => output.owned)).toHaveLength(1);
  });
});

interface Datastore {
  name: string;
  skip: boolean;
  datastore: () => DatastoreConfig & { url: string };
  databaseUrl: () => string;
}

const datastores: Datastore[] = [
  {
    name: "Redis",
    skip: skipRedis,
    datastore: () => ({ kind: "redis", url: redisUrl! }),
    databaseUrl: () => postgresUrl ?? embeddedUrl(),
  },
  {
    name: "PostgreSQL",
    skip: skipPostgres,
    datastore: () => ({ kind: "postgres", url: postgresUrl! }),
    databaseUrl: () => postgresUrl!,
  },
  {
    name: "embedded PostgreSQL",
    skip: false,
    datastore: () => ({ kind: "postgres", url: embeddedUrl() }),
    databaseUrl: embeddedUrl,
  },
];

for (const store of datastores) {
  describe.skipIf(store.skip)(`on ${store.name}`, () => {
    const queueName = `runtime-${store.name.replace(/\W+/g, "-").toLowerCase()}-${runId}`;
    let database: Database;

    beforeAll(async () => {
      database = createDatabase({ url: store.databaseUrl() });
      await migrate([coreMigrations], database);
    });
    afterAll(async () => {
      await database?.close();
      await obliterate(store.datastore(), [queueName, `${queueName}-aborted`]);
    });

    it("creates and reads users", async () => {
      const users = createUserModel(database);
      const email = `${randomUUID()}@example.com`;
      const user = await users.create({ email });
      expect(user).toMatchObject({ email, welcomeEmailSentAt: null });
      expect(await users.get(user.id)).toEqual(user);
      expect(await users.get(randomUUID())).toBeNull();
      expect(await users.markWelcomeEmailSent(user.id)).toBe(true);
      expect((await users.get(user.id))?.welcomeEmailSentAt).toBeInstanceOf(Date);
    });

    it("queues a task inside a database transaction: it exists exactly when the transaction commits", async () => {
      const outboxQueue = `${queueName}-outbox`;
      const worker = createWorker({
        queueName: outboxQueue,
        datastore: store.datastore(),
        context: { database },
        outbox: database,
        outboxPollMs: 50,
      });
      const ran: string[] = [];
      const record = worker.task("record", async (label: string) => {
        ran.push(label);
        return label;
      });
      const orm = drizzle({ client: database.pool });
      try {
        // Rolled back: the task never existed.
        let rolledBackId = "";
        const rollback = await orm
          .transaction(async (tx) => {
            rolledBackId = (await record.with({ transaction: tx }).enqueue("rolled back")).id;
            tx.rollback();
          })
          .catch((error: unknown) => error);
        expect(rollback).toBeInstanceOf(TransactionRollbackError);
        expect(await worker.handle(rolledBackId).status()).toBe("not_found");

        // Committed, no worker yet: queued (waiting in the outbox); one of them aborted there.
        const [kept, dropped] = await orm.transaction(async (tx) =>
          Promise.all([record.with({ transaction: tx }).enqueue("committed"), record.with({ transaction: tx }).enqueue("aborted")]),
        );
        expect(await kept.status()).toBe("queued");
        expect(await dropped.abort()).toBe(true);
        expect(await dropped.status()).toBe("aborted");

        // The worker hands the outbox to the queue and runs what is there, under the same id.
        await worker.run({ handleSignals: false });
        expect(await kept.result({ timeout: 30_000 })).toEqual({ success: true, value: "committed" });
        expect(ran).toEqual(["committed"]);
        // The outbox lets go of it once the queue has it (the task may finish first).
        await eventually("the outbox to be empty", async () => {
          const { rows } = await database.query("SELECT id FROM task_outbox WHERE id = ANY($1)", [[kept.id, dropped.id]]);
          return rows.length === 0;
        });
      } finally {
        await worker.close();
        await obliterate(store.datastore(), [outboxQueue, `${outboxQueue}-aborted`]);
      }
    });

    it("a task in the outbox goes to its own queue: a worker of another queue on the same database leaves it alone", async () => {
      const [mine, theirs] = [`${queueName}-outbox-mine`, `${queueName}-outbox-theirs`];
      const options = { datastore: store.datastore(), context: { database }, outbox: database, outboxPollMs: 50 };
      const owner = createWorker({ queueName: mine, ...options });
      const other = createWorker({ queueName: theirs, ...options });
      const ranBy: string[] = [];
      const note = owner.task("note", async () => ranBy.push("owner"));
      other.task("note", async () => ranBy.push("other"));
      const orm = drizzle({ client: database.pool });
      try {
        // The other queue's worker runs first, with the entry committed and waiting.
        const handle = await orm.transaction((tx) => note.with({ transaction: tx }).enqueue());
        await other.run({ handleSignals: false });
        await sleep(500); // ten of its relay's rounds
        const { rows } = await database.query("SELECT queue FROM task_outbox WHERE id = $1", [handle.id]);
        expect(rows).toEqual([{ queue: mine }]);
        await owner.run({ handleSignals: false });
        expect((await handle.result({ timeout: 30_000 })).success).toBe(true);
        expect(ranBy).toEqual(["owner"]);
      } finally {
        await Promise.all([owner.close(), other.close()]);
        await obliterate(store.datastore(), [mine, `${mine}-aborted`, theirs, `${theirs}-aborted`]);
      }
    });

    it("queues, runs, reports and aborts tasks", async () => {
      const users = createUserModel(database);
      const worker = createWorker({ queueName, datastore: store.datastore(), context: { database } });
      const add = worker.task("add", async (a: number, b: number) => a + b);
      const boom = worker.task("boom", async (message: string) => {
        throw new Error(message);
      });
      const welcome = worker.task("welcome", async (userId: string) => {
        const found = await createUserModel(worker.context.db).get(userId);
        if (!found) return { status: "skipped" as const };
        await users.markWelcomeEmailSent(found.id);
        return { status: "sent" as const, user: found.email };
      });
      // Registered only on a second instance: the consuming worker must refuse it.
      const producer = createWorker({ queueName, datastore: store.datastore(), context: { database } });
      const stranger = producer.task("stranger", async () => 1);

      try {
        expect(await add(2, 3)).toBe(5); // direct call, in-process

        // Aborted before any consumer exists: it cannot have started.
        const abortedUser = await users.create({ email: `${randomUUID()}@example.com` });
        const doomed = await welcome.enqueue(abortedUser.id);
        expect(await doomed.status()).toBe("queued");
        const later = await add.with({ delay: 3_600_000 }).enqueue(1, 1);
        expect(await later.status()).toBe("scheduled");
        expect(await doomed.abort()).toBe(true);
        expect(await later.abort()).toBe(true);
        expect(await doomed.status()).toBe("aborted");
        expect(await later.abort()).toBe(false);
        expect(await doomed.result()).toMatchObject({ success: false, error: { name: "TaskAbortedError" } });

        await worker.run({ handleSignals: false });

        const sum = await add.enqueue(20, 22);
        expect(await sum.result({ timeout: 30_000 })).toEqual({ success: true, value: 42 });
        expect(await sum.status()).toBe("completed");
        expect(await sum.abort()).toBe(false);
        // Another process would rebuild the handle from the id alone.
        expect(
          await producer
            .task("add-probe", async () => 0)
            .handle(sum.id)
            .status(),
        ).toBe("completed");

        const user = await users.create({ email: `${randomUUID()}@example.com` });
        const sent = await welcome.enqueue(user.id);
        expect(await sent.result({ timeout: 30_000 })).toEqual({ success: true, value: { status: "sent", user: user.email } });

        const failed = await boom.enqueue("it broke");
        const failure = await failed.result({ timeout: 30_000 });
        expect(failure.success).toBe(false);
        if (!failure.success) expect(failure.error.message).toBe("it broke");
        expect(await failed.status()).toBe("failed");

        const refused = await stranger.enqueue();
        const refusal = await refused.result({ timeout: 30_000 });
        expect(refusal.success).toBe(false);
        if (!refusal.success) {
          expect(refusal.error.message).toContain('"stranger"');
          expect(refusal.error.message).toContain("bottom of packages/app/src/tasks/worker.ts");
        }

        // The consumer drained tasks queued after the aborted one, which never ran.
        expect((await users.get(abortedUser.id))?.welcomeEmailSentAt).toBeNull();

        const waiting = await add.with({ delay: 3_600_000 }).enqueue(0, 0);
        await expect(waiting.result({ timeout: 100 })).rejects.toBeInstanceOf(TaskTimeoutError);
        expect(await waiting.abort()).toBe(true);
        expect(await add.handle(randomUUID()).status()).toBe("not_found");
        await expect(add.handle(randomUUID()).result()).rejects.toThrow(/not found/);
      } finally {
        await producer.close();
        await worker.close();
      }
    });

    it("result() stops waiting, saying why, when its worker closes meanwhile", async () => {
      const closingQueue = `${queueName}-closing`;
      const worker = createWorker({ queueName: closingQueue, datastore: store.datastore() });
      const idle = worker.task("idle", async () => "ran"); // no consumer: it stays queued
      try {
        const handle = await idle.enqueue();
        const waiting = settledWithin(handle.result({ timeout: 60_000 }), 20_000);
        await sleep(200); // polling its state by now
        await worker.close();
        const outcome = await waiting;
        expect(outcome).toEqual({ error: expect.any(Error) });
        expect((outcome as { error: Error }).error.message).toBe(
          `Stopped waiting for the result of task idle (${handle.id}): the worker was closed`,
        );
        // A closed worker opens its queues again when it is used again.
        expect(await handle.status()).toBe("queued");
      } finally {
        await worker.close();
        await obliterate(store.datastore(), [closingQueue]);
      }
    });

    it("result() gives up by its deadline when the datastore stops answering", async () => {
      const frozenQueue = `${queueName}-frozen`;
      const proxy = await startFreezingProxy(store.datastore().url);
      const worker = createWorker({ queueName: frozenQueue, datastore: { ...store.datastore(), url: proxy.url } });
      const idle = worker.task("idle", async () => "ran");
      try {
        const handle = await idle.enqueue();
        proxy.freeze();
        const outcome = await settledWithin(handle.result({ timeout: 200 }), 20_000);
        expect(outcome).toEqual({ error: expect.any(TaskTimeoutError) });
        expect((outcome as { error: Error }).error.message).toBe(
          `Task idle (${handle.id}) did not finish in time (last status: unknown (the task datastore did not answer))`,
        );
      } finally {
        proxy.thaw(); // back: the worker reconnects, and closes as usual
        await worker.close();
        await proxy.close();
        await obliterate(store.datastore(), [frozenQueue]);
      }
    });

    it("a handle's reads, abort() and worker.counts() give up by their timeout while the datastore does not answer, and at once when the worker closes", async () => {
      const frozenQueue = `${queueName}-frozen-reads`;
      const proxy = await startFreezingProxy(store.datastore().url);
      const datastore = { ...store.datastore(), url: proxy.url };
      const quick = createWorker({ queueName: frozenQueue, datastore, enqueueTimeoutMs: 300 });
      const patient = createWorker({ queueName: frozenQueue, datastore, enqueueTimeoutMs: 60_000 });
      const idle = quick.task("idle", async () => "ran"); // no consumer: it stays queued
      patient.task("idle", async () => "ran");
      try {
        const handle = await idle.enqueue();
        const elsewhere = patient.handle(handle.id);
        expect(await elsewhere.status()).toBe("queued"); // its queue is open before the freeze
        proxy.freeze();

        const reads = {
          status: "read the status of",
          info: "read",
          progress: "read the progress of",
          logs: "read the logs of",
          abort: "abort",
        } as const;
        const timedOut = await Promise.all(
          Object.keys(reads).map((method) => settledWithin(handle[method as keyof typeof reads](), 20_000)),
        );
        const messages = Object.values(reads).map(
          (what) => `Could not ${what} task idle (${handle.id}): the task datastore did not answer within 300 ms`,
        );
        expect(timedOut.map((outcome) => ("error" in outcome ? outcome.error.message : outcome))).toEqual(messages);
        for (const outcome of timedOut) expect(outcome).toEqual({ error: expect.any(ServiceUnavailableError) });
        const counted = await settledWithin(quick.counts(), 20_000);
        expect(counted).toEqual({ error: expect.any(ServiceUnavailableError) });
        expect((counted as { error: Error }).error.message).toBe(
          `Could not count the tasks of queue ${frozenQueue}: the task datastore did not answer within 300 ms`,
        );

        // Waiting on a 60 s deadline, they stop when their worker closes its queues.
        const reading: Promise<unknown>[] = [elsewhere.status(), elsewhere.abort(), patient.counts()];
        const pending = reading.map((read) => settledWithin(read, 20_000));
        await sleep(200);
        const closed = patient.close();
        const outcomes = await Promise.all(pending);
        expect(outcomes.map((outcome) => ("error" in outcome ? outcome.error.message : outcome))).toEqual([
          `Could not read the status of task ${handle.id}: the worker was closed`,
          `Could not abort task ${handle.id}: the worker was closed`,
          `Could not count the tasks of queue ${frozenQueue}: the worker was closed`,
        ]);
        proxy.thaw();
        await closed;
      } finally {
        proxy.thaw(); // back: the workers reconnect, and close as usual
        await Promise.all([quick.close(), patient.close()]);
        await proxy.close();
        await obliterate(store.datastore(), [frozenQueue]);
      }
    }, 60_000);

    it("many results awaited at once warn of no leak", async () => {
      const busyQueue = `${queueName}-many-results`;
      const worker = createWorker({ queueName: busyQueue, datastore: store.datastore() });
      const echo = worker.task("echo", async (n: number) => n);
      const warnings: Error[] = [];
      const onWarning = (warning: Error) => warnings.push(warning);
      process.on("warning", onWarning);
      try {
        const handles = await echo.enqueueMany(Array.from({ length: 30 }, (_, n) => [n]));
        const waiting = Promise.all(handles.map((handle) => handle.result({ timeout: 30_000 })));
        await worker.run({ handleSignals: false });
        expect(await waiting).toEqual(handles.map((_, n) => ({ success: true, value: n })));
        await sleep(50); // Node emits its warnings on the next tick
        expect(warnings.map((warning) => warning.name)).not.toContain("MaxListenersExceededWarning");
      } finally {
        process.off("warning", onWarning);
        await worker.close();
        await obliterate(store.datastore(), [busyQueue]);
      }
    });

    it("a worker closes in bounded time while the datastore does not answer, and no dropped connection ends the process", async () => {
      const frozenQueue = `${queueName}-frozen-close`;
      const proxy = await startFreezingProxy(store.datastore().url);
      const worker = createWorker({
        queueName: frozenQueue,
        datastore: { ...store.datastore(), url: proxy.url },
        shutdownGraceMs: 1_000,
      });
      const idle = worker.task("idle", async () => "ran");
      try {
        await worker.run({ handleSignals: false });
        // Every connection in use: the consumer, the producer queue and the result listener.
        expect(await (await idle.enqueue()).result({ timeout: 10_000 })).toEqual({ success: true, value: "ran" });
        const later = await idle.with({ delay: 3_600_000 }).enqueue();
        proxy.freeze();
        const reading = settledWithin(later.status(), 20_000);
        // The grace period (1 s), then at most 5 s for the datastore, then its connections are dropped.
        expect(await settledWithin(worker.close(), 20_000)).toEqual({ value: undefined });
        // A read that was waiting on a dropped connection fails rather than waiting for ever.
        expect(await reading).toEqual({ error: expect.any(Error) });
        // An unhandled 'error' from a dropped PostgreSQL client would fail this file's run.
      } finally {
        proxy.thaw();
        await worker.close();
        await proxy.close();
        await obliterate(store.datastore(), [frozenQueue]);
      }
    }, 60_000);
  });
}

describe("metrics", () => {
  it("a scrape while the datastore cannot be reached still answers: the queue's gauge is left out, the rest is there", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, "127.0.0.1", () => {
        const { port } = probe.address() as { port: number };
        probe.close(() => resolve(port));
      });
    });
    const worker = createWorker({ queueName: `metrics-${runId}`, datastore: { kind: "redis", url: `redis://127.0.0.1:${port}` } });
    try {
      const { contentType, text } = await worker.metrics.scrape();
      expect(contentType).toMatch(/^text\/plain/);
      expect(text).toContain("# TYPE tasks gauge");
      expect(text).not.toMatch(/^tasks\{/m);
      expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    } finally {
      await worker.close();
    }
  });
});

async function obliterate(datastore: { kind: "redis" | "postgres"; url: string }, names: string[]): Promise<void> {
  for (const name of names) {
    const queue = openRawQueue(datastore, name);
    await queue.obliterate();
    await queue.close();
  }
}
