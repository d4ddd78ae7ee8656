import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundScript } from "./support/background.js";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { pnpm } from "./support/pnpm.js";
import { findPostgres, findRedis, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine, postSignup } from "./support/fresh-machine.js";

/**
 * Tracing in a generated project, built and run in production (`pnpm start` and
 * `pnpm worker`, two processes) exporting with OTLP to a receiver the test starts, as
 * `OTEL_EXPORTER_OTLP_ENDPOINT` tells them: one trace runs from the signup request
 * through the enqueue (in the request's transaction) and the queue to the task's run.
 */

const redisUrl = await findRedis();
const postgresUrl = await findPostgres();
const skip = missing("Redis", redisUrl) || missing("PostgreSQL", postgresUrl);

describe.skipIf(skip)("tracing a generated project with OpenTelemetry", () => {
  let project: string;
  let receiver: OtlpReceiver;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const scripts: BackgroundScript[] = [];

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const build = await pnpm(["build"], { cwd: project, reject: false });
    expect(build.exitCode, build.all).toBe(0);
    database = await freshDatabase(postgresUrl as string, "tracing");
    receiver = await OtlpReceiver.start();
  }, 600_000);

  afterAll(async () => {
    for (const script of scripts) script.kill();
    await receiver?.close();
    await database?.drop();
  });

  async function start(args: string[], env: Record<string, string>): Promise<BackgroundScript> {
    const script = await BackgroundScript.start(project, args, {
      ...freshMachine,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl as string,
      TASKS_QUEUE: `tracing-${Date.now().toString(36)}`,
      MAIL_DIR: await tempDir("tracing-mail-"),
      TASKS_OUTBOX_POLL_MS: "100",
      // Export spans every 200 ms rather than every 5 s.
      OTEL_BSP_SCHEDULE_DELAY: "200",
      ...env,
    });
    scripts.push(script);
    return script;
  }

  it("one trace from the request through the queue to the task's run, across two processes, with enqueue, wait and attempt spans", async () => {
    const port = await freePort();
    const queue = `tracing-${Date.now().toString(36)}`;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, TASKS_QUEUE: queue };
    const server = await start(["start"], { ...otel, PORT: String(port) });
    const worker = await start(["worker"], otel);
    await server.waitFor(/app ready on/);
    await worker.waitFor(/worker ready/);
    expect(server.output).toMatch(/tracing: OTLP to http:\/\/127\.0\.0\.1:\d+/);

    const { status, taskId } = await postSignup(`http://127.0.0.1:${port}`, "trace@example.com");
    expect(status).toBe(201);

    const named = (name: string) => receiver.spans.find((span) => span.name === name);
    await eventually("the task's run span to be exported", () => named("run sendWelcomeEmail") !== undefined, 60_000);
    const request = named("POST /signup") as ReceivedSpan;
    const enqueue = named("enqueue sendWelcomeEmail") as ReceivedSpan;
    const wait = named("wait sendWelcomeEmail") as ReceivedSpan;
    const run = named("run sendWelcomeEmail") as ReceivedSpan;
    expect([request, enqueue, wait, run].every(Boolean), JSON.stringify(receiver.spans, null, 1)).toBe(true);

    // One trace, two processes: the request and the enqueue in the server, the run in the worker.
    expect(new Set([request, enqueue, wait, run].map((span) => span.traceId)).size).toBe(1);
    expect([request.service, enqueue.service, run.service]).toEqual(["app", "app", "worker"]);
    expect(enqueue.parentSpanId).toBe(request.spanId);
    expect(run.parentSpanId).toBe(enqueue.spanId);
    expect(wait.parentSpanId).toBe(enqueue.spanId);
    expect(request.kind).toBe(2);
    expect([enqueue.kind, run.kind]).toEqual([4, 5]);
    expect(run.attributes).toMatchObject({
      "task.name": "sendWelcomeEmail",
      "task.id": taskId,
      "task.attempt": 1,
      "task.outcome": "completed",
    });
    expect(enqueue.attributes).toMatchObject({ "task.name": "sendWelcomeEmail", "task.id": taskId, "messaging.destination.name": queue });

    // The logs join the trace: the request's line in the server, the task's lines in the worker.
    const requestLine = await server.waitForLog(
      "the signup request",
      (record) => record.component === "http" && record.msg === "POST /signup 201",
    );
    expect(requestLine).toMatchObject({
      level: "info",
      trace_id: request.traceId,
      req: { method: "POST", url: "/signup" },
      res: { status: 201 },
    });
    const mailLine = await worker.waitForLog("the welcome email", (record) => record.component === "mail");
    expect(mailLine).toMatchObject({ task: "sendWelcomeEmail", taskId, attempt: 1, trace_id: run.traceId, span_id: run.spanId });
  });

  it("with the collector unreachable: requests and tasks go on, and the server says once, in a line, that spans cannot be exported", async () => {
    const port = await freePort();
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: nowhere, TASKS_QUEUE: `tracing-nowhere-${Date.now().toString(36)}` };
    const server = await start(["start"], { ...otel, PORT: String(port) });
    const worker = await start(["worker"], otel);
    await server.waitFor(/app ready on/);
    await worker.waitFor(/worker ready/);
    const { status, taskId } = await postSignup(`http://127.0.0.1:${port}`, "nowhere@example.com");
    expect(status).toBe(201);
    await eventually(
      "the welcome email task to finish",
      async () => ((await (await fetch(`http://127.0.0.1:${port}/tasks/${taskId}`)).json()) as { status: string }).status === "completed",
    );
    const exportFailure = /^could not export spans to http:\/\/127\.0\.0\.1:\d+\/v1\/traces: .*ECONNREFUSED/;
    await server.waitForLog("a failed export", (record) => record.component === "tracing" && exportFailure.test(record.msg));
    expect(server.logRecords.filter((record) => record.component === "tracing")).toHaveLength(1);
    expect(`${server.output}${worker.output}`).not.toMatch(/^\s+at /m); // no stack dumps
  });

  it("without OTEL_EXPORTER_OTLP_ENDPOINT: tracing is off, startup says so, requests are served", async () => {
    const port = await freePort();
    const server = await start(["start"], { PORT: String(port) });
    await server.waitFor(/app ready on/);
    expect(server.output).toMatch(/tracing: off \(set OTEL_EXPORTER_OTLP_ENDPOINT to export traces\)/);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
  });
});
