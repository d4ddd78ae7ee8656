// The conformance suite of the core task runtime: ONE suite, run unchanged on every
// datastore BullMQ runs on here — Redis, the machine's PostgreSQL and the embedded
// PostgreSQL. Real servers, real queues and real worker processes (spawned from
// test/support/conformance/worker.ts), no mocks. Timeouts are hang guards only;
// short intervals come from the runtime's own settings.
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import * as v from "valibot";
import { z } from "zod";
import {
  TaskAbortedError,
  TaskExpiredError,
  TaskFailedError,
  TaskPayloadError,
  createWorker,
  type FailedTask,
  type TaskStatus,
  type TaskWorker,
  type TaskWorkerOptions,
} from "@repo/core/tasks";
import { retryDelay } from "../templates/queue/packages/core/src/tasks/backoff.js";
import { captureLog } from "./support/captured-log.js";
import { openRawQueue } from "./support/raw-queue.js";
import { registerConformanceTasks } from "./support/conformance/tasks.js";
import { startConformanceWorker, type ConformanceWorker } from "./support/conformance/spawn.js";
import { datastores, redisCluster, stopEmbeddedDatastore, stopRedisCluster } from "./support/datastores.js";

const runId = `${process.pid}-${Date.now().toString(36)}`;
// Short intervals, so stalled tasks, aborts and shutdowns resolve in seconds.
const FAST: TaskWorkerOptions = { stalledIntervalMs: 1_000, abortPollMs: 100, shutdownGraceMs: 2_000 };
const FAST_ENV = { TASKS_STALLED_INTERVAL_MS: "1000", TASKS_ABORT_POLL_MS: "100", TASKS_SHUTDOWN_GRACE_MS: "300" };
// For a worker that takes over a killed worker's tasks: each was found stalled once already,
// and one more lost lock makes BullMQ fail it ("stalled more than allowable limit"). Its
// lock lasts 4 s, renewed every 2 s, so a loaded machine holding it up for a second cannot.
const TAKEOVER_ENV = { TASKS_STALLED_INTERVAL_MS: "2000" };
const WAIT = { timeout: 60_000 };

afterAll(stopEmbeddedDatastore);
afterAll(stopRedisCluster);

/** Polls `read` until `accept` holds (a hang guard bounds it); returns the last value. */
async function until<T>(read: () => Promise<T> | T, accept: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met in time; last value: ${JSON.stringify(value)}`);
    await sleep(50);
  }
}

const is =
  (...statuses: TaskStatus[]) =>
  (status: TaskStatus) =>
    statuses.includes(status);

describe("retry backoff", () => {
  it("is exponential, capped, and jittered downwards only", () => {
    for (let retry = 1; retry <= 12; retry++) {
      const exponential = Math.min(5_000, 100 * 2 ** (retry - 1));
      for (let sample = 0; sample < 50; sample++) {
        const delay = retryDelay(retry, { delay: 100, max: 5_000, jitter: 0.5 });
        expect(delay).toBeLessThanOrEqual(exponential);
        expect(delay).toBeGreaterThanOrEqual(Math.floor(exponential * 0.5));
      }
    }
    expect(retryDelay(3, { delay: 100, jitter: 0 })).toBe(400);
    expect(retryDelay(30, { delay: 100, max: 700, jitter: 0 })).toBe(700);
  });
});

describe.each([...datastores, redisCluster])("conformance on $name", (store) => {
  const suffix = `${store.name.replace(/\W+/g, "-").toLowerCase()}-${runId}`;
  const queues: string[] = [];
  let datastore: { kind: "redis" | "postgres"; url: string };
  const workers: TaskWorker[] = [];
  const children: ConformanceWorker[] = [];

  beforeAll(async () => {
    if (!store.skip) datastore = { kind: store.kind, url: await store.url() } as typeof datastore;
  });
  afterAll(async () => {
    for (const child of children) child.kill("SIGKILL");
    await Promise.all(workers.map((worker) => worker.close()));
    for (const name of queues) {
      for (const queueName of [name, `${name}-aborted`]) {
        const raw = openRawQueue(datastore, queueName);
        await raw.obliterate().catch(() => {});
        await raw.close();
      }
    }
  });

  /**
   * A worker on a fresh queue of its own, closed when the test ends: each holds
   * connections, and a suite's worth of open workers would exhaust PostgreSQL's.
   */
  function newWorker(options: TaskWorkerOptions = {}, queueName = `conformance-${queues.length}-${suffix}`): TaskWorker {
    if (!queues.includes(queueName)) queues.push(queueName);
    const worker = createWorker({ queueName, datastore, ...FAST, ...options });
    workers.push(worker);
    onTestFinished(() => worker.close());
    return worker;
  }

  async function spawnWorker(label: string, queueName: string, env: Record<string, string> = {}): Promise<ConformanceWorker> {
    const child = await startConformanceWorker({ label, queueName, datastore }, { ...FAST_ENV, ...env });
    children.push(child);
    return child;
  }

  describe.skipIf(store.skip)("", () => {
    it("enqueue options: delay, runAt, priority, and a caller-chosen id that de-duplicates", async () => {
      const worker = newWorker({ concurrency: 1 });
      const order: string[] = [];
      const note = worker.task("note", async (label: string) => {
        order.push(label);
        return label;
      });
      // Queued before the worker runs, so priority alone decides the order.
      const later = await note.with({ priority: 10 }).enqueue("low");
      const sooner = await note.with({ priority: 1 }).enqueue("high");
      const delayed = await note.with({ delay: 1_500 }).enqueue("delayed");
      const at = await note.with({ runAt: new Date(Date.now() + 1_500) }).enqueue("at");
      const first = await note.with({ id: `dedupe-${runId}` }).enqueue("once");
      const again = await note.with({ id: `dedupe-${runId}` }).enqueue("twice");
      expect(again.id).toBe(first.id);
      expect(await delayed.status()).toBe("scheduled");
      expect(await at.status()).toBe("scheduled");
      expect(await later.status()).toBe("queued");
      await expect(note.with({ id: "42" }).enqueue("x")).rejects.toThrow(/not allowed/);
      await expect(note.with({ delay: 1, runAt: Date.now() }).enqueue("x")).rejects.toThrow(TypeError);

      await worker.run({ handleSignals: false });
      for (const handle of [later, sooner, delayed, at, first]) {
        expect((await handle.result(WAIT)).success).toBe(true);
      }
      expect(await first.result()).toEqual({ success: true, value: "once" });
      expect(order.filter((label) => label === "once" || label === "twice")).toEqual(["once"]);
      expect(order.indexOf("high")).toBeLessThan(order.indexOf("low"));
      // The delayed ones were still scheduled when the others ran.
      expect(order.slice(-2).sort()).toEqual(["at", "delayed"]);
    });

    it("round-trips Date, Map, Set, BigInt, undefined and references in arguments and results, as superjson writes them", async () => {
      const worker = newWorker();
      const seen: unknown[][] = [];
      const echo = worker.task("echo", async (...args: unknown[]) => {
        seen.push(args);
        return { args, at: new Date(Date.UTC(2026, 11, 1)), byDay: new Map([["mon", 1n]]), nothing: undefined };
      });
      const plain = worker.task("plain", async (name: string) => ({ greeting: `hello ${name}` }));
      const shared = { id: 1 };
      const args = [new Date(0), new Map([["a", new Set([1, 2])]]), 10n, undefined, { shared, again: shared }, /x+/g, Number.NaN];
      await worker.run({ handleSignals: false });
      const handle = await echo.enqueue(...args);
      const outcome = await handle.result(WAIT);
      expect(outcome.success).toBe(true);
      const value = outcome.success
        ? (outcome.value as { args: unknown[]; at: Date; byDay: Map<string, bigint>; nothing: undefined })
        : undefined;
      // What the task received, and what result() returned, is what was sent.
      expect(seen[0]).toEqual(args);
      expect(value?.args).toEqual(args);
      const received = value?.args[4] as { shared: object; again: object };
      expect(received.again).toBe(received.shared);
      expect(value?.at).toBeInstanceOf(Date);
      expect(value?.byDay.get("mon")).toBe(1n);
      expect(value && "nothing" in value).toBe(true);
      // JSON-only values are stored as plain JSON: what the dashboard shows, and what earlier releases wrote.
      const raw = openRawQueue(datastore, queues.at(-1) as string);
      onTestFinished(() => raw.close());
      const plainHandle = await plain.enqueue("Ada");
      expect(await plainHandle.result(WAIT)).toEqual({ success: true, value: { greeting: "hello Ada" } });
      expect(await raw.stored(plainHandle.id)).toEqual({ data: { args: ["Ada"] }, returnvalue: { greeting: "hello Ada" } });
      // A task queued as an earlier release queued it (plain JSON arguments) still runs.
      const earlierId = randomUUID();
      await raw.add("plain", { args: ["Grace"] }, { jobId: earlierId });
      expect(await plain.handle(earlierId).result(WAIT)).toEqual({ success: true, value: { greeting: "hello Grace" } });
    });

    it("rejects arguments that would not come back as themselves, naming the task, the argument and the path", async () => {
      const worker = newWorker();
      const take = worker.task("take", async (..._args: unknown[]) => 1);
      class Point {
        constructor(readonly x: number) {}
      }
      const sparse: number[] = [];
      sparse[0] = 1;
      sparse[2] = 3;
      const cases: [unknown, RegExp][] = [
        [() => 1, /argument 2 is a function/],
        [Symbol("s"), /argument 2 is a symbol/],
        [new Point(1), /argument 2 is a Point instance \(it would come back as a plain object/],
        [{ nested: [1, { callback: () => {} }] }, /argument 2 at \.nested\[1\]\.callback is a function/],
        [new Map([["k", Symbol("v")]]), /argument 2 at \.get\(k\) is a symbol/],
        [sparse, /argument 2 at \[1\] is a hole/],
      ];
      for (const [bad, message] of cases) {
        const attempt = take.enqueue("fine", bad);
        await expect(attempt).rejects.toBeInstanceOf(TypeError);
        await expect(attempt).rejects.toThrow(/Cannot enqueue task "take"/);
        await expect(attempt).rejects.toThrow(message);
      }
      const raw = openRawQueue(datastore, queues.at(-1) as string);
      onTestFinished(() => raw.close());
      expect(await raw.counts()).toMatchObject({ waiting: 0 });
    });

    it("validates payloads with the task's schema: at enqueue (nothing queued), and when it runs (queued by an earlier deploy: fails for good)", async () => {
      const worker = newWorker();
      const received: unknown[] = [];
      const invoice = worker.task(
        "invoice",
        async (payload) => {
          received.push(payload);
          return payload.lines.reduce((sum, line) => sum + line.cents, 0);
        },
        {
          schema: z.object({
            customerId: z.string(),
            currency: z.string().default("EUR"),
            lines: z.array(z.object({ cents: z.number().int() })),
          }),
          retries: 2,
        },
      );
      const raw = openRawQueue(datastore, queues.at(-1) as string);
      onTestFinished(() => raw.close());

      const refused = invoice.enqueue({ customerId: "c1", lines: [{ cents: 100 }, { cents: 2.5 }] });
      await expect(refused).rejects.toBeInstanceOf(TaskPayloadError);
      await expect(refused).rejects.toThrow(
        /^Cannot enqueue task "invoice": its payload is invalid: at \.lines\[1\]\.cents: Invalid input: expected int, received number$/,
      );
      expect(await raw.counts()).toMatchObject({ waiting: 0, delayed: 0 });

      await worker.run({ handleSignals: false });
      const handle = await invoice.enqueue({ customerId: "c1", lines: [{ cents: 100 }, { cents: 250 }] });
      expect(await handle.result(WAIT)).toEqual({ success: true, value: 350 });
      expect(received).toEqual([{ customerId: "c1", currency: "EUR", lines: [{ cents: 100 }, { cents: 250 }] }]); // the schema's output

      // Queued before the schema changed: one attempt, no retry, a failure that says why.
      const staleId = randomUUID();
      await raw.add("invoice", { args: [{ customer: "c1" }] }, { jobId: staleId, attempts: 3 });
      const stale = await invoice.handle(staleId).result(WAIT);
      expect(stale.success).toBe(false);
      const error = stale.success ? undefined : (stale.error as TaskFailedError);
      expect(error?.error.name).toBe("TaskPayloadError");
      expect(error?.message).toMatch(
        /^Task "invoice" cannot run: its payload is invalid \(was it queued before the task's schema changed\?\): at \.customerId: /,
      );
      expect((await worker.failed()).find((failure) => failure.id === staleId)?.attempts).toBe(1);
      expect(received).toHaveLength(1);

      // Any Standard Schema library: valibot's checks, and its messages.
      const resize = worker.task("resize", async ({ width }) => width * 2, {
        schema: v.object({ width: v.pipe(v.number(), v.minValue(1)) }),
      });
      await expect(resize.enqueue({ width: 0 })).rejects.toThrow(/at \.width: Invalid value: Expected >=1 but received 0/);
      expect(await (await resize.enqueue({ width: 21 })).result(WAIT)).toEqual({ success: true, value: 42 });
    });

    it("enqueueMany: one round trip, handles in order, all or nothing at the check; with options and in a transaction", async () => {
      const worker = newWorker();
      const double = worker.task("double", async (n: number, at: Date) => ({ n: n * 2, day: at.getUTCDate() }));
      const label = worker.task("label", async ({ name }) => name.toUpperCase(), { schema: z.object({ name: z.string().min(1) }) });
      const raw = openRawQueue(datastore, queues.at(-1) as string);
      onTestFinished(() => raw.close());

      // One bad item: nothing queued, and the message says which.
      await expect(label.enqueueMany([[{ name: "a" }], [{ name: "" }], [{ name: "c" }]])).rejects.toThrow(
        /^Cannot enqueue task "label" \(item 2 of 3\): its payload is invalid: at \.name: /,
      );
      await expect(
        double.enqueueMany([
          [1, new Date()],
          [2, (() => {}) as unknown as Date],
        ]),
      ).rejects.toThrow(/^Cannot enqueue task "double" \(item 2 of 2\): argument 2 is a function/);
      await expect(double.with({ id: "mine" }).enqueueMany([[1, new Date()]])).rejects.toThrow(/enqueueMany takes no id/);
      expect(await raw.counts()).toMatchObject({ waiting: 0, delayed: 0 });
      expect(await double.enqueueMany([])).toEqual([]);

      const handles = await double.enqueueMany(
        Array.from({ length: 50 }, (_, n) => [n, new Date(Date.UTC(2026, 0, n + 1))] as [number, Date]),
      );
      expect(new Set(handles.map((handle) => handle.id)).size).toBe(50);
      const delayed = await label.with({ delay: 60_000, priority: 3 }).enqueueMany([[{ name: "x" }], [{ name: "y" }]]);
      expect(await Promise.all(delayed.map((handle) => handle.status()))).toEqual(["scheduled", "scheduled"]);

      await worker.run({ handleSignals: false });
      const results = await Promise.all(handles.map((handle) => handle.result(WAIT)));
      expect(results.map((result) => (result.success ? result.value : undefined))).toEqual(
        Array.from({ length: 50 }, (_, n) => ({ n: n * 2, day: (n % 31) + 1 })),
      );
      for (const handle of delayed) expect(await handle.abort()).toBe(true);
    });

    it("flows: fan-out/fan-in and a chain hand the steps' results, in order, to the task after them; every member has a working handle", async () => {
      const worker = newWorker({ concurrency: 4 });
      const order: string[] = [];
      const part = worker.task("part", async (n: number, at: Date) => {
        await sleep(50 * (3 - n)); // finishing out of order: the results still come in step order
        order.push(`part ${n}`);
        return { n, day: at.getUTCDate() };
      });
      const sum = worker.task("sum", async (parts: { n: number; day: number }[], label: string) => {
        order.push("sum");
        return `${label}: ${parts.map((p) => `${p.n}@${p.day}`).join(" ")}`;
      });
      const increment = worker.task("increment", async (n: number) => n + 1);
      const double = worker.task("double", async ([incremented]: [number]) => incremented * 2);

      const steps = [1, 2, 3].map((n) => part.step(n, new Date(Date.UTC(2026, 11, n))));
      const fanIn = await sum.after(steps).enqueue("parts");
      expect(await fanIn.status()).toBe("queued"); // waiting for its steps
      expect(await steps[0]!.handle.status()).toBe("queued");
      const chain = await double.after([increment.step(20)]).enqueue();

      await worker.run({ handleSignals: false });
      expect(await fanIn.result(WAIT)).toEqual({ success: true, value: "parts: 1@1 2@2 3@3" });
      expect(order.at(-1)).toBe("sum");
      expect(await steps[2]!.handle.result(WAIT)).toEqual({ success: true, value: { n: 3, day: 3 } });
      expect(await chain.result(WAIT)).toEqual({ success: true, value: 42 });
      await expect(sum.after([]).enqueue("none")).rejects.toThrow(/after\(\) needs at least one step/);
    });

    it("flows: a failed step fails the task after it, or leaves undefined with onChildFailure continue; aborting the task aborts its waiting steps", async () => {
      const worker = newWorker({ concurrency: 4 });
      const check = worker.task("check", async (ok: boolean) => {
        if (!ok) throw new Error("check failed");
        return "ok";
      });
      const gather = worker.task("gather", async (results: (string | undefined)[]) =>
        results.map((result) => result ?? "missing").join(","),
      );
      const strict = await gather.after([check.step(true), check.step(false)]).enqueue();
      const lenient = await gather.after([check.step(true), check.step(false)], { onChildFailure: "continue" }).enqueue();
      // Not run yet (no worker): aborting the task after them aborts its steps too.
      const waitingSteps = [check.step(true), check.step(true)];
      const aborted = await gather.after(waitingSteps).enqueue();
      expect(await aborted.abort()).toBe(true);
      expect(await aborted.status()).toBe("aborted");
      expect(await Promise.all(waitingSteps.map((step) => step.handle.status()))).toEqual(["aborted", "aborted"]);

      await worker.run({ handleSignals: false });
      const failed = await strict.result(WAIT);
      expect(failed.success).toBe(false);
      expect(await strict.status()).toBe("failed");
      expect(await lenient.result(WAIT)).toEqual({ success: true, value: "ok,missing" });
      await sleep(300);
      expect(await aborted.status()).toBe("aborted");
      expect(await Promise.all(waitingSteps.map((step) => step.handle.status()))).toEqual(["aborted", "aborted"]);
    });

    it("retries with backoff, then fails for good: error kept and listed, onFailure runs once", async () => {
      const { lines: logged, records } = captureLog();
      const hooks: FailedTask[] = [];
      const worker = newWorker({ onFailure: (failure) => void hooks.push(failure) });
      const taskHooks: FailedTask[] = [];
      const attempts: number[] = [];
      const flaky = worker.task(
        "flaky",
        async () => {
          const { attempt } = worker.current();
          attempts.push(attempt);
          if (attempt < 3) throw new Error(`attempt ${attempt} failed`);
          return attempt;
        },
        { retries: 3, backoff: { delay: 300, max: 400 } },
      );
      class QuotaError extends Error {
        override name = "QuotaError";
      }
      const doomed = worker.task(
        "doomed",
        async (why: string) => {
          throw new QuotaError(why);
        },
        { retries: 1, backoff: { delay: 10 }, onFailure: (failure) => void taskHooks.push(failure) },
      );
      await worker.run({ handleSignals: false });

      const handle = await flaky.enqueue();
      // Between attempts the task waits out its backoff as a scheduled task.
      await until(() => handle.status(), is("scheduled"));
      expect(await handle.result(WAIT)).toEqual({ success: true, value: 3 });
      expect(attempts).toEqual([1, 2, 3]);

      const failing = await doomed.enqueue("over quota");
      const outcome = await failing.result(WAIT);
      expect(outcome.success).toBe(false);
      const error = (outcome as { error: Error }).error;
      expect(error).toBeInstanceOf(TaskFailedError);
      expect((error as TaskFailedError).error).toMatchObject({ name: "QuotaError", message: "over quota" });
      expect((error as TaskFailedError).error.stack).toMatch(/^QuotaError: over quota\n\s+at /);
      expect(await failing.status()).toBe("failed");

      const listed = await worker.failed();
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({ id: failing.id, taskName: "doomed", args: ["over quota"], attempts: 2 });
      expect(listed[0]!.error).toMatchObject({ name: "QuotaError", message: "over quota" });
      await until(
        () => hooks.length + taskHooks.length,
        (count) => count >= 2,
      );
      expect(taskHooks).toEqual([expect.objectContaining({ id: failing.id, error: expect.objectContaining({ name: "QuotaError" }) })]);
      expect(hooks.map((hook) => hook.id)).toEqual([failing.id]);

      // Each failed attempt says what comes next: a retry and when, or giving up.
      expect(logged).toContainEqual(
        expect.stringMatching(
          new RegExp(`^\\[tasks\\] doomed \\(${failing.id}\\) failed \\(attempt 1 of 2\\): over quota; retrying in \\d+ ms$`),
        ),
      );
      expect(logged).toContain(`[tasks] doomed (${failing.id}) failed (attempt 2 of 2), giving up: over quota`);
      // In JSON (production), each line names the task, its id and the attempt, at its level.
      expect(
        records.filter((record) => record.taskId === failing.id).map(({ level, task, attempt }) => ({ level, task, attempt })),
      ).toEqual([
        { level: "warn", task: "doomed", attempt: 1 },
        { level: "error", task: "doomed", attempt: 2 },
      ]);
      expect(logged.findIndex((line) => line.startsWith("[tasks] worker ready"))).toBeLessThan(
        logged.findIndex((line) => line.startsWith("[tasks] flaky (")),
      );
    });

    it("an attempt that meets a dependency down waits and tries again without using a retry, for ten minutes at most", async () => {
      const { lines: logged } = captureLog();
      const worker = newWorker();
      const refused = () => Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:9"), { code: "ECONNREFUSED" });
      let calls = 0;
      const reach = worker.task(
        "reach",
        async () => {
          calls++;
          if (calls < 3) throw refused();
          return calls;
        },
        { retries: 0 },
      );
      const unreachable = worker.task(
        "unreachable",
        async () => {
          throw refused();
        },
        { retries: 0 },
      );
      await worker.run({ handleSignals: false });

      // No retries, and yet it succeeds: the two attempts that met the outage did not count.
      const handle = await reach.enqueue();
      expect(await handle.result(WAIT)).toEqual({ success: true, value: 3 });
      expect(logged).toContainEqual(
        expect.stringMatching(
          new RegExp(
            `^\\[tasks\\] reach \\(${handle.id}\\) could not run: connect ECONNREFUSED 127\\.0\\.0\\.1:9; trying again in \\d\\.\\d s$`,
          ),
        ),
      );

      // Due more than ten minutes ago (as BullMQ's own timestamp option can say): a
      // dependency that still does not answer fails the attempt as any error would.
      const queue = openRawQueue(datastore, queues.at(-1) as string);
      const staleId = randomUUID();
      await queue.add("unreachable", { args: [] }, { jobId: staleId, attempts: 1, timestamp: Date.now() - 11 * 60_000 });
      await queue.close();
      const outcome = await unreachable.handle(staleId).result(WAIT);
      expect(outcome).toMatchObject({ success: false, error: { error: { message: "connect ECONNREFUSED 127.0.0.1:9" } } });
    });

    it("times out an attempt: its signal fires and the attempt fails, cooperative or not", async () => {
      const worker = newWorker();
      const reasons: string[] = [];
      const polite = worker.task(
        "polite",
        async () => {
          const { signal } = worker.current();
          await sleep(60_000, undefined, { signal }).catch(() => reasons.push((signal.reason as Error).name));
          return "finished anyway";
        },
        { timeout: 200 },
      );
      const deaf = worker.task("deaf", async () => await sleep(3_000, "too late"), { timeout: 200, retries: 1, backoff: { delay: 10 } });
      await worker.run({ handleSignals: false });

      const first = await polite.enqueue();
      const second = await deaf.enqueue();
      for (const handle of [first, second]) {
        const outcome = await handle.result(WAIT);
        expect(outcome.success).toBe(false);
        expect(((outcome as { error: unknown }).error as TaskFailedError).error.name).toBe("TaskRunTimeoutError");
      }
      expect(reasons).toEqual(["TaskRunTimeoutError"]);
      expect((await worker.failed()).find((failure) => failure.id === second.id)?.attempts).toBe(2);
    });

    it("worker.current(): id, attempt and signal inside a task, queued or called directly", async () => {
      const worker = newWorker();
      const whoAmI = worker.task("whoAmI", async () => {
        const { id, name, attempt, signal } = worker.current();
        return { id, name, attempt, signal: signal instanceof AbortSignal && !signal.aborted };
      });
      expect(() => worker.current()).toThrow(/outside a running task/);
      expect(await whoAmI()).toMatchObject({ id: expect.stringMatching(/^direct:/), name: "whoAmI", attempt: 1, signal: true });
      await worker.run({ handleSignals: false });
      const handle = await whoAmI.enqueue();
      expect(await handle.result(WAIT)).toEqual({ success: true, value: { id: handle.id, name: "whoAmI", attempt: 1, signal: true } });
    });

    it("result() listens to the queue's events: one listener per process, from the first result() until worker.close()", async () => {
      const worker = newWorker();
      const double = worker.task("double", async (n: number) => n * 2);
      await worker.run({ handleSignals: false });
      const raw = openRawQueue(datastore, worker.queueName);
      try {
        expect(await raw.eventListeners()).toBe(0);
        const handles = await Promise.all([1, 2, 3].map((n) => double.enqueue(n)));
        const results = await Promise.all(handles.map((handle) => handle.result(WAIT)));
        expect(results).toEqual([2, 4, 6].map((value) => ({ success: true, value })));
        expect(
          await until(
            () => raw.eventListeners(),
            (count) => count > 0,
          ),
        ).toBe(1);
        await worker.close();
        expect(
          await until(
            () => raw.eventListeners(),
            (count) => count === 0,
          ),
        ).toBe(0);
      } finally {
        await raw.close();
      }
    });

    it("aborts queued and scheduled tasks (they never run), running ones (signal fires), not finished ones", async () => {
      const { lines: logged } = captureLog();
      const worker = newWorker();
      const ran: string[] = [];
      const job = worker.task("job", async (label: string) => {
        ran.push(label);
        const { signal } = worker.current();
        if (label === "long") await sleep(60_000, undefined, { signal });
        return label;
      });
      const queued = await job.enqueue("queued");
      const scheduled = await job.with({ delay: 60_000 }).enqueue("scheduled");
      expect(await queued.abort()).toBe(true);
      expect(await scheduled.abort()).toBe(true);
      expect(await queued.status()).toBe("aborted");
      expect(await scheduled.result()).toMatchObject({ success: false, error: expect.any(TaskAbortedError) });

      await worker.run({ handleSignals: false });
      const done = await job.enqueue("done");
      expect(await done.result(WAIT)).toEqual({ success: true, value: "done" });
      expect(await done.abort()).toBe(false);
      expect(await done.status()).toBe("completed");

      const long = await job.enqueue("long");
      await until(() => long.status(), is("running"));
      expect(await long.abort()).toBe(true);
      expect(await long.result(WAIT)).toMatchObject({ success: false, error: expect.any(TaskAbortedError) });
      expect(await long.status()).toBe("aborted");
      expect(ran.sort()).toEqual(["done", "long"]);
      // Logged as what it is: an abort, not a failure of the task's.
      await until(
        () => logged.includes(`[tasks] job (${long.id}) was aborted`),
        (found) => found,
      );
      expect(logged.filter((line) => line.includes(long.id) && line.includes("failed"))).toEqual([]);
      expect(await job.handle(randomUUID()).abort()).toBe(false);
    });

    it("runs cron tasks on schedule (UTC by default); a schedule no longer declared is removed at start", async () => {
      const queueName = `conformance-cron-${suffix}`;
      const first = newWorker({}, queueName);
      let ticks = 0;
      first.cron("* * * * * *", "tick", async () => ++ticks);
      first.cron("0 3 * * *", "nightly", async () => 0, { tz: "Europe/Paris" });
      await first.run({ handleSignals: false });
      const raw = openRawQueue(datastore, queueName);
      try {
        expect((await raw.schedulers()).sort((a, b) => a.id.localeCompare(b.id))).toEqual([
          { id: "nightly", pattern: "0 3 * * *", tz: "Europe/Paris" },
          { id: "tick", pattern: "* * * * * *", tz: "UTC" },
        ]);
        await until(
          () => ticks,
          (count) => count >= 2,
        );
        await first.close();

        // The next deploy declares only "nightly": "tick" is gone, with its next run.
        const second = newWorker({}, queueName);
        second.cron("0 3 * * *", "nightly", async () => 0, { tz: "Europe/Paris" });
        await second.run({ handleSignals: false });
        expect((await raw.schedulers()).map((scheduler) => scheduler.id)).toEqual(["nightly"]);
        expect(await raw.delayedNames()).toEqual(["nightly"]);
      } finally {
        await raw.close();
      }
    });

    it("a cron's next run does not start while its previous one runs on any worker (the tick is skipped and logged), unless it opts out", async () => {
      const { lines: logged } = captureLog();
      const queueName = `conformance-cron-overlap-${suffix}`;
      // Two workers on the queue, as two processes would be: each tick may go to either.
      const [a, b] = [newWorker({ concurrency: 5 }, queueName), newWorker({ concurrency: 5 }, queueName)];
      const runs: { name: string; start: number; end: number }[] = [];
      const body = (name: string) => async () => {
        const start = Date.now();
        await sleep(2_500);
        runs.push({ name, start, end: Date.now() });
      };
      for (const worker of [a, b]) {
        worker.cron("* * * * * *", "slowReport", body("slowReport"));
        worker.cron("* * * * * *", "overlapping", body("overlapping"), { overlap: true });
      }
      await Promise.all([a.run({ handleSignals: false }), b.run({ handleSignals: false })]);
      await until(
        () => runs.filter((run) => run.name === "slowReport").length,
        (count) => count >= 2,
        30_000,
      );
      await Promise.all([a.close(), b.close()]);
      const exclusive = runs.filter((run) => run.name === "slowReport").sort((x, y) => x.start - y.start);
      for (let index = 1; index < exclusive.length; index++) {
        expect(exclusive[index]!.start).toBeGreaterThanOrEqual(exclusive[index - 1]!.end);
      }
      const overlapping = runs.filter((run) => run.name === "overlapping").sort((x, y) => x.start - y.start);
      expect(overlapping.some((run, index) => index > 0 && run.start < overlapping[index - 1]!.end)).toBe(true);
      expect(logged).toContainEqual(
        expect.stringMatching(/^\[tasks\] slowReport \(.+\) skipped: its previous run \(.+\) is still running$/),
      );
    });

    it("progress and log lines of a running task, and its info, read from another process's handle; counts by status", async () => {
      const queueName = `conformance-progress-${suffix}`;
      const worker = newWorker({}, queueName);
      const observer = newWorker({}, queueName); // another producer of the same queue: reads through the datastore
      // Each run waits at the gate until the test opens it.
      let release: () => void = () => {};
      let gate = Promise.resolve();
      const closeGate = () => {
        gate = new Promise<void>((resolve) => (release = resolve));
      };
      const importRows = worker.task("importRows", async (rows: number) => {
        const current = worker.current();
        await current.log(`importing ${rows} rows`);
        await current.progress(50);
        await current.progress({ done: rows / 2, of: rows });
        await gate;
        await current.log("done");
        return rows;
      });
      // Called directly, it has nowhere to report to, and runs all the same.
      expect(await importRows(4)).toBe(4);
      closeGate();

      await worker.run({ handleSignals: false });
      const queued = await importRows.enqueue(10);
      const seen = observer.handle(queued.id);
      // Keys in any order: PostgreSQL stores it as jsonb.
      const reported = await until(
        () => seen.progress(),
        (progress) => typeof progress === "object",
      );
      expect(reported).toEqual({ done: 5, of: 10 });
      expect(await seen.logs()).toEqual(["importing 10 rows"]);
      expect(await seen.status()).toBe("running");
      expect(await observer.counts()).toMatchObject({ queued: 0, running: 1, failed: 0 });
      release();
      expect(await seen.result(WAIT)).toEqual({ success: true, value: 10 });
      expect(await seen.logs()).toEqual(["importing 10 rows", "done"]);
      const info = await seen.info();
      expect(info).toMatchObject({
        id: queued.id,
        name: "importRows",
        status: "completed",
        attempts: 1,
        worker: `${hostname()}:${process.pid}`,
      });
      expect(info?.enqueuedAt?.getTime()).toBeLessThanOrEqual(info?.startedAt?.getTime() ?? 0);
      expect(info?.startedAt?.getTime()).toBeLessThanOrEqual(info?.finishedAt?.getTime() ?? 0);
      expect(await observer.counts()).toMatchObject({ queued: 0, running: 0, completed: 1 });
      expect(await observer.handle("no-such-task").info()).toBeUndefined();
    });

    it("idempotency keys and debounce: the same key within its ttl gives the first task; debounced, only the last enqueue runs", async () => {
      const worker = newWorker();
      const runs: string[] = [];
      const charge = worker.task("charge", async (order: string) => {
        runs.push(`charge ${order}`);
        return order;
      });
      const reindex = worker.task("reindex", async (version: number) => {
        runs.push(`reindex ${version}`);
        return version;
      });
      await expect(charge.with({ ttl: 1_000 }).enqueue("x")).rejects.toThrow(/ttl is how long a key holds: pass key too/);
      await expect(charge.with({ key: "k", id: "i" }).enqueue("x")).rejects.toThrow(/pass one of id, key and debounce/);

      const first = await charge.with({ key: "order-1", ttl: 2_000 }).enqueue("first");
      const again = await charge.with({ key: "order-1", ttl: 2_000 }).enqueue("second");
      const otherKey = await charge.with({ key: "order-2", ttl: 2_000 }).enqueue("other");
      expect(again.id).toBe(first.id);
      expect(otherKey.id).not.toBe(first.id);
      const debounced = [];
      for (const version of [1, 2, 3]) debounced.push(await reindex.with({ debounce: { key: "catalog", delay: 1_000 } }).enqueue(version));
      expect(await debounced[2]!.status()).toBe("scheduled");
      expect(await debounced[0]!.status()).toBe("not_found"); // replaced by the later enqueue

      await worker.run({ handleSignals: false });
      expect(await first.result(WAIT)).toEqual({ success: true, value: "first" });
      expect(await debounced[2]!.result(WAIT)).toEqual({ success: true, value: 3 });
      await otherKey.result(WAIT);
      expect(runs.sort()).toEqual(["charge first", "charge other", "reindex 3"]);
      await sleep(2_100); // past the key's ttl: a new task
      const later = await charge.with({ key: "order-1", ttl: 2_000 }).enqueue("later");
      expect(later.id).not.toBe(first.id);
      expect(await later.result(WAIT)).toEqual({ success: true, value: "later" });
    });

    it("expire: a task not started by its deadline does not run, and says so; one started in time runs", async () => {
      const { lines: logged } = captureLog();
      const worker = newWorker();
      const ran: string[] = [];
      const notify = worker.task("notify", async (label: string) => {
        ran.push(label);
        return label;
      });
      const stale = await notify.with({ expire: 200 }).enqueue("stale");
      const fresh = await notify.with({ expire: new Date(Date.now() + 60_000) }).enqueue("fresh");
      await sleep(400); // no worker yet: the first deadline passes
      await worker.run({ handleSignals: false });
      const outcome = await stale.result(WAIT);
      expect(outcome.success).toBe(false);
      expect(outcome.success ? undefined : outcome.error).toBeInstanceOf(TaskExpiredError);
      expect(await stale.status()).toBe("expired");
      expect(await fresh.result(WAIT)).toEqual({ success: true, value: "fresh" });
      expect(ran).toEqual(["fresh"]);
      expect((await worker.failed()).map((failure) => failure.id)).not.toContain(stale.id);
      expect(logged).toContainEqual(
        expect.stringMatching(new RegExp(`^\\[tasks\\] Task notify \\(${stale.id}\\) expired: it had not started by `)),
      );
    });

    it("middleware wraps every run in the order added, sees the run and its arguments, and can change the outcome", async () => {
      const worker = newWorker();
      const trail: string[] = [];
      worker.use(async ({ task, args }, next) => {
        trail.push(`outer ${task.name}(${args.join(",")}) attempt ${task.attempt}`);
        try {
          return await next();
        } finally {
          trail.push("outer done");
        }
      });
      worker.use(async ({ task }, next) => {
        trail.push(`inner sees ${worker.current().id === task.id ? "the current task" : "another task"}`);
        const value = await next();
        return typeof value === "number" ? value + 1 : value;
      });
      const add = worker.task("add", async (a: number, b: number) => {
        trail.push("task");
        return a + b;
      });
      expect(await add(1, 2)).toBe(3); // direct calls run the function alone
      expect(trail).toEqual(["task"]);
      trail.length = 0;
      await worker.run({ handleSignals: false });
      expect(await (await add.enqueue(1, 2)).result(WAIT)).toEqual({ success: true, value: 4 });
      expect(trail).toEqual(["outer add(1,2) attempt 1", "inner sees the current task", "task", "outer done"]);
    });

    it("enqueue by name, from a producer that does not declare the task: the worker runs it with its declared retries", async () => {
      const queueName = `conformance-by-name-${suffix}`;
      const worker = newWorker({}, queueName);
      const producer = newWorker({}, queueName); // another service: it knows the queue, not the task module
      let calls = 0;
      worker.task(
        "flaky",
        async (label: string, at: Date) => {
          calls++;
          if (calls < 3) throw new Error("not yet");
          return `${label} at ${at.toISOString()}`;
        },
        { retries: 2, backoff: { delay: 10 } },
      );
      await worker.run({ handleSignals: false });
      const handle = await producer.enqueue("flaky", ["report", new Date(0)], { priority: 5 });
      expect(handle.taskName).toBe("flaky");
      expect(await handle.result(WAIT)).toEqual({ success: true, value: "report at 1970-01-01T00:00:00.000Z" });
      expect(calls).toBe(3);
      // A name no worker declares fails for good, saying so.
      const unknown = await producer.enqueue("noSuchTask");
      const outcome = await unknown.result(WAIT);
      expect(outcome.success ? "" : outcome.error.message).toMatch(/Task "noSuchTask" is not registered in this worker process/);
    });

    it("keeps results for the configured time", async () => {
      const worker = newWorker({ keepResultsMs: 1_000 });
      const echo = worker.task("echo", async (value: number) => value);
      await worker.run({ handleSignals: false });
      const old = await echo.enqueue(1);
      expect(await old.result(WAIT)).toEqual({ success: true, value: 1 });
      await sleep(2_100); // past the retention (whole seconds in BullMQ)
      // BullMQ drops expired results when a later task finishes.
      expect(await (await echo.enqueue(2)).result(WAIT)).toEqual({ success: true, value: 2 });
      expect(await old.status()).toBe("not_found");
    });

    it("abort from another process reaches the task running in a worker process; an ignored signal still aborts, no retry", async () => {
      const queueName = `conformance-abort-${suffix}`;
      const client = newWorker({}, queueName);
      const { cooperative, stubborn } = registerConformanceTasks(client, "client");
      const worker = await spawnWorker("A", queueName);

      const polite = await cooperative.enqueue(60_000);
      await worker.waitFor("started", (event) => event.id === polite.id);
      expect(await polite.abort()).toBe(true);
      expect(await worker.waitFor("signal", (event) => event.id === polite.id)).toMatchObject({ label: "A", reason: "TaskAbortedError" });
      expect(await polite.result(WAIT)).toMatchObject({ success: false, error: expect.any(TaskAbortedError) });

      const deaf = await stubborn.enqueue(3_000);
      await worker.waitFor("started", (event) => event.id === deaf.id);
      expect(await deaf.abort()).toBe(true);
      await worker.waitFor("signal", (event) => event.id === deaf.id);
      expect(await until(() => deaf.status(), is("aborted", "completed", "queued"))).toBe("aborted");
      // Once its body finally returns, it is neither completed nor retried.
      await sleep(3_500);
      expect(await deaf.status()).toBe("aborted");
      expect(worker.events.filter((event) => event.event === "started" && event.id === deaf.id)).toHaveLength(1);
      worker.kill("SIGTERM");
      expect((await worker.exited).code).toBe(0);
    });

    it("SIGTERM: running tasks finish within the grace period, the rest are handed back, exit 0", async () => {
      const queueName = `conformance-shutdown-${suffix}`;
      const client = newWorker({}, queueName);
      const { cooperative, stubborn } = registerConformanceTasks(client, "client");
      const first = await spawnWorker("A", queueName, { TASKS_SHUTDOWN_GRACE_MS: "1000" });
      const short = await stubborn.enqueue(300);
      const long = await cooperative.enqueue(5_000);
      await first.waitFor("started", (event) => event.id === short.id);
      await first.waitFor("started", (event) => event.id === long.id);
      first.kill("SIGTERM");
      expect((await first.exited).code).toBe(0);
      expect(await short.result()).toEqual({ success: true, value: { label: "A" } });
      expect(await long.status()).toBe("queued"); // handed back, not failed

      const second = await spawnWorker("B", queueName);
      expect(await long.result(WAIT)).toEqual({ success: true, value: { label: "B" } });
      second.kill("SIGTERM");
      expect((await second.exited).code).toBe(0);
    });

    /** The runs of one task and key that each worker process reported, by start. */
    const ranOf = (workers: ConformanceWorker[], name: string, key: string) =>
      workers
        .flatMap((worker) => worker.events)
        .flatMap((event) => (event.event === "ran" && event.name === name && event.key === key ? [event] : []))
        .sort((a, b) => a.start - b.start);

    /** The most runs that overlapped at any moment (an end and a start at the same ms do not overlap). */
    const mostAtOnce = (runs: { start: number; end: number }[]) => {
      const edges = runs.flatMap((run) => [
        { at: run.start, step: 1 },
        { at: run.end, step: -1 },
      ]);
      edges.sort((a, b) => a.at - b.at || a.step - b.step);
      let now = 0;
      let most = 0;
      for (const edge of edges) {
        now += edge.step;
        most = Math.max(most, now);
      }
      return most;
    };

    /** The tasks a worker took from the queue more than `most` times (BullMQ's attemptsStarted), with those counts. */
    async function takenMoreThan(queueName: string, handles: { id: string }[], most: number) {
      const raw = openRawQueue(datastore, queueName);
      try {
        const taken = await Promise.all(handles.map(async ({ id }) => ({ id, times: await raw.timesTaken(id) })));
        return taken.filter(({ times }) => times === undefined || times > most);
      } finally {
        await raw.close();
      }
    }

    it("per-key concurrency holds across two worker processes: never more than the limit at once per key, other keys not held up, waiting runs parked and handed a slot, not polling", async () => {
      const queueName = `conformance-per-key-${suffix}`;
      const client = newWorker({}, queueName);
      const { perKey } = registerConformanceTasks(client, "client");
      // Leases (two stall intervals) of 20 s: in this test a waiting run is woken by the hand-over alone.
      const env = { TASKS_STALLED_INTERVAL_MS: "10000" };
      // A runs one task at a time, so the busy key reaching its limit of two means B ran
      // some of it: a hand-over promotes a parked run, and the process that gave the slot
      // back often fetches it first, so with equal processes one could run the whole key.
      const workers = [
        await spawnWorker("A", queueName, { ...env, TASKS_CONCURRENCY: "1" }),
        await spawnWorker("B", queueName, { ...env, TASKS_CONCURRENCY: "5" }),
      ];
      const busy = await perKey.enqueueMany(Array.from({ length: 12 }, () => ["busy", 300] as [string, number]));
      const other = await perKey.enqueueMany(Array.from({ length: 4 }, () => ["other", 300] as [string, number]));
      for (const handle of [...busy, ...other]) expect((await handle.result(WAIT)).success).toBe(true);

      const busyRuns = ranOf(workers, "perKey", "busy");
      const otherRuns = ranOf(workers, "perKey", "other");
      expect([busyRuns.length, otherRuns.length]).toEqual([12, 4]);
      expect(mostAtOnce(busyRuns)).toBe(2);
      expect(mostAtOnce(otherRuns)).toBe(2);
      // One limit for both processes, not one each: both ran the busy key's tasks.
      expect(new Set(busyRuns.map((run) => run.label))).toEqual(new Set(["A", "B"]));
      // The busy key's backlog held no worker slot: the other key was done before its last run began.
      expect(Math.max(...otherRuns.map((run) => run.end))).toBeLessThan(busyRuns.at(-1)!.start);
      // Parked, not polled: each task was taken from the queue at most twice (at first, and once handed a slot).
      expect(await takenMoreThan(queueName, busy, 2)).toEqual([]);
      for (const worker of workers) worker.kill("SIGTERM");
    });

    it("a per-key rate limit holds across two worker processes: never more starts per period than the limit, other keys not held up, waiting runs woken at their turn", async () => {
      const queueName = `conformance-rate-${suffix}`;
      const client = newWorker({}, queueName);
      const { rated } = registerConformanceTasks(client, "client");
      const env = { TASKS_CONCURRENCY: "5" };
      const workers = [await spawnWorker("A", queueName, env), await spawnWorker("B", queueName, env)];
      const busy = await rated.enqueueMany(Array.from({ length: 9 }, () => ["busy"] as [string]));
      const other = await rated.enqueueMany(Array.from({ length: 3 }, () => ["other"] as [string]));
      for (const handle of [...busy, ...other]) expect((await handle.result(WAIT)).success).toBe(true);

      const starts = ranOf(workers, "rated", "busy").map((run) => run.start);
      const otherStarts = ranOf(workers, "rated", "other").map((run) => run.start);
      expect([starts.length, otherStarts.length]).toEqual([9, 3]);
      // 3 a second (rated's limit). A start is timed in the task's body, after the limit let it
      // go — on a loaded machine a busy worker process gets there up to a few hundred ms late:
      // windows shorter than the period by that much allow for it. (A limit of 4 puts 4 starts
      // within milliseconds of each other: caught all the same.)
      const window = 1_000 - 250;
      for (const start of starts) expect(starts.filter((other) => other >= start && other < start + window).length).toBeLessThanOrEqual(3);
      // Paced by the limit: nine starts take two periods (less the same allowance) at least.
      expect(starts.at(-1)! - starts[0]!).toBeGreaterThanOrEqual(2 * window);
      // Both processes took their turns, and the other key did not queue behind the busy one.
      expect(new Set(ranOf(workers, "rated", "busy").map((run) => run.label))).toEqual(new Set(["A", "B"]));
      expect(Math.max(...otherStarts)).toBeLessThan(starts[3]!);
      // Woken at their turn, not polling: each task taken from the queue at most twice
      // (three times if its turn came while the queue was busy and it was planned again).
      expect(await takenMoreThan(queueName, busy, 3)).toEqual([]);
      for (const worker of workers) worker.kill("SIGTERM");
    });

    it("a worker killed while it holds a task's only slot gives it up when its lease ends: the waiting run goes ahead on another worker, never two at once", async () => {
      const queueName = `conformance-slot-crash-${suffix}`;
      const client = newWorker({}, queueName);
      const { exclusive } = registerConformanceTasks(client, "client");
      const doomed = await spawnWorker("A", queueName);
      const first = await exclusive.enqueue(3_000);
      await doomed.waitFor("started", (event) => event.id === first.id);
      const second = await exclusive.enqueue(200);
      expect(await until(() => second.status(), is("scheduled", "completed"))).toBe("scheduled"); // parked, waiting for the slot
      doomed.kill("SIGKILL");
      expect((await doomed.exited).signal).toBe("SIGKILL");

      const next = await spawnWorker("B", queueName, TAKEOVER_ENV);
      expect(await second.result(WAIT)).toEqual({ success: true, value: { label: "B" } });
      expect(await first.result(WAIT)).toEqual({ success: true, value: { label: "B" } }); // found stalled, run again
      expect(mostAtOnce(ranOf([next], "exclusive", ""))).toBe(1);
      next.kill("SIGTERM");
      expect((await next.exited).code).toBe(0);
    });

    it("SIGKILL mid-task loses nothing: another worker runs it again, and honours an abort sent while it was down", async () => {
      const queueName = `conformance-crash-${suffix}`;
      const client = newWorker({}, queueName);
      const { stubborn } = registerConformanceTasks(client, "client");
      // A worker that would notice an abort only after a minute: it dies first.
      const doomed = await spawnWorker("A", queueName, { TASKS_ABORT_POLL_MS: "60000" });
      const survivor = await stubborn.enqueue(1_000);
      const cancelled = await stubborn.enqueue(1_000);
      await doomed.waitFor("started", (event) => event.id === survivor.id);
      await doomed.waitFor("started", (event) => event.id === cancelled.id);
      expect(await cancelled.abort()).toBe(true);
      doomed.kill("SIGKILL");
      expect((await doomed.exited).signal).toBe("SIGKILL");

      const next = await spawnWorker("B", queueName, TAKEOVER_ENV);
      // Recovery waits for the dead worker's lock to expire and a stalled-job check (seconds with
      // these intervals; up to a minute if the datastore ignores those settings).
      expect(await survivor.result({ timeout: 120_000 })).toEqual({ success: true, value: { label: "B" } });
      expect(await until(() => cancelled.status(), is("aborted", "completed"))).toBe("aborted");
      expect(next.events.filter((event) => event.event === "started" && event.id === cancelled.id)).toEqual([]);
      next.kill("SIGTERM");
      expect((await next.exited).code).toBe(0);
    });
  });
});
