import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it, vi } from "vitest";

// A queue of this file's own: counting its tasks must not see other test files' tasks.
// (Before the imports: the task runtime reads TASKS_QUEUE when it first opens the queue.)
vi.hoisted(() => {
  process.env.TASKS_QUEUE = `${process.env.TASKS_QUEUE ?? "test"}-app`;
});

import { closeDatabase, db, UserModel } from "@repo/core";
import { createApp } from "./app.js";
import type { AppConfig } from "./config.js";
import { closeQueue, jobQueueEnabled } from "./queue.js";

// Many signups in this file: a limit they never reach (the limit has a test of its own).
const development: AppConfig = { port: 0, production: false, adminToken: undefined, signupRateLimit: 1_000 };
const app = createApp(development);
const appDir = fileURLToPath(new URL("..", import.meta.url));
const newEmail = () => `${randomUUID()}@example.com`;

afterAll(async () => {
  await closeQueue();
  await closeDatabase();
});

function signup(body: string) {
  return app.request("/signup", { method: "POST", headers: { "content-type": "application/json" }, body });
}

async function findUserByEmail(email: string) {
  const { rows } = await db.query<{ id: string }>("SELECT id FROM users WHERE email = $1", [email]);
  return rows[0] ? UserModel.get(rows[0].id) : null;
}

describe("HTTP app", () => {
  it("GET /health/ready (and /health) answers 200 when the database and the queue do; /health/live always", async () => {
    const checks = { database: "up", ...(jobQueueEnabled ? { queue: "up" } : {}) };
    for (const path of ["/health/ready", "/health"]) {
      const response = await app.request(path);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ ok: true, checks });
    }
    const live = await app.request("/health/live");
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ ok: true });
  });

  it("POST /signup registers the user", async () => {
    const email = newEmail();
    const response = await signup(JSON.stringify({ email: `  ${email.toUpperCase()} ` }));
    expect(response.status).toBe(201);
    const body = (await response.json()) as { status: string; job_id?: string };
    expect(body.status).toBe("registered");
    expect(typeof body.job_id).toBe(jobQueueEnabled ? "string" : "undefined");
    // Stored trimmed and lower-cased.
    expect(await findUserByEmail(email)).toMatchObject({ email });
  });

  it("answers 400 with a JSON error for a bad body or email", async () => {
    const cases: [string, RegExp][] = [
      ["{not json", /must be JSON/],
      ["", /must be JSON/],
      ["[]", /email is required/],
      ["null", /email is required/],
      ["{}", /email is required/],
      [JSON.stringify({ email: 42 }), /email is required/],
      [JSON.stringify({ email: "   " }), /email is required/],
      [JSON.stringify({ email: "not-an-email" }), /not a valid address/],
      [JSON.stringify({ email: "a@b" }), /not a valid address/],
      [JSON.stringify({ email: "two words@example.com" }), /not a valid address/],
      [JSON.stringify({ email: `${"x".repeat(250)}@example.com` }), /not a valid address/],
    ];
    for (const [body, error] of cases) {
      const response = await signup(body);
      expect(response.status, body).toBe(400);
      expect(((await response.json()) as { error: string }).error, body).toMatch(error);
    }
  });

  it("answers 413 for an oversized body", async () => {
    const response = await signup(JSON.stringify({ email: newEmail(), padding: "x".repeat(20_000) }));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: expect.stringContaining("at most") });
  });

  it("answers 409 for an address already registered, whatever its case", async () => {
    const email = newEmail();
    expect((await signup(JSON.stringify({ email }))).status).toBe(201);
    for (const again of [email, email.toUpperCase()]) {
      const response = await signup(JSON.stringify({ email: again }));
      expect(response.status).toBe(409);
      expect(await response.json()).toEqual({ error: `${email} is already registered` });
    }
  });

  it("sends the usual security headers, and caps every request body", async () => {
    const response = await app.request("/health/live");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(response.headers.get("strict-transport-security")).toMatch(/max-age=\d+/);
    const huge = await app.request("/anything", {
      method: "POST",
      body: "x".repeat(1024 * 1024 + 1),
      headers: { "content-type": "text/plain" },
    });
    expect(huge.status).toBe(413);
  });

  it("limits signups per client, answering 429 past the limit", async () => {
    const limited = createApp({ ...development, signupRateLimit: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await limited.request("/signup", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email: newEmail() }),
      });
      statuses.push(response.status);
      if (response.status === 429) expect(await response.json()).toEqual({ error: "Too many signups from here; try again in a minute." });
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
  });

  it("answers unknown routes with a JSON 404", async () => {
    const response = await app.request("/nope");
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "No route for GET /nope" });
  });
});

// Projects with the job queue: signup queues sendWelcomeEmail; a real worker process sends it.
describe.runIf(jobQueueEnabled)("HTTP app with the job queue", () => {
  /** Jobs in this file's queue, in every state, as the admin dashboard's API reports them. */
  async function taskCount(): Promise<number> {
    const response = await app.request("/admin/queues/api/queues");
    expect(response.status).toBe(200);
    const { queues } = (await response.json()) as { queues: { name: string; counts: Record<string, number> }[] };
    const queue = queues.find((q) => q.name === process.env.TASKS_QUEUE);
    expect(queue, "the dashboard shows the app's queue").toBeDefined();
    return Object.values(queue!.counts).reduce((sum, n) => sum + n, 0);
  }

  async function taskView(id: string) {
    const response = await app.request(`/tasks/${encodeURIComponent(id)}`);
    return {
      status: response.status,
      body: (await response.json()) as { id?: string; status?: string; result?: unknown; error?: unknown },
    };
  }

  it("serves the dashboard in development", async () => {
    const response = await app.request("/admin/queues");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/text\/html/);
  });

  it("bad requests and duplicates queue no task", async () => {
    const taken = newEmail();
    expect((await signup(JSON.stringify({ email: taken }))).status).toBe(201);
    const before = await taskCount();
    for (const body of ["{oops", "{}", JSON.stringify({ email: "nope" }), JSON.stringify({ email: taken })]) {
      expect([400, 409]).toContain((await signup(body)).status);
    }
    expect(await taskCount()).toBe(before);
  });

  it("gives tasks random ids, so counting ids finds no one else's", async () => {
    const response = await signup(JSON.stringify({ email: newEmail() }));
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    expect(jobId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    for (const guess of ["0", "1", "2", "3", "100"]) expect((await taskView(guess)).status).toBe(404);
  });

  it("GET /tasks/:id answers 404 for an unknown id", async () => {
    const { status, body } = await taskView(randomUUID());
    expect(status).toBe(404);
    expect(body).toEqual({ error: expect.stringContaining("No task with id") });
  });

  it("signup → task queued → a worker sends the welcome email as an .eml file", async () => {
    const email = newEmail();
    const response = await signup(JSON.stringify({ email }));
    expect(response.status).toBe(201);
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    expect(await taskView(jobId)).toEqual({ status: 200, body: { id: jobId, status: "queued" } });

    const worker = spawn(process.execPath, ["--conditions=development", "--import", "tsx", "src/start-worker.ts"], {
      cwd: appDir,
      env: process.env,
      stdio: "ignore",
    });
    const exited = new Promise<number | null>((resolve) => worker.once("exit", resolve));
    try {
      let view = await taskView(jobId);
      // Bounded by the test timeout: polled as a client would.
      while (view.body.status === "queued" || view.body.status === "running") {
        await new Promise((resolve) => setTimeout(resolve, 100));
        view = await taskView(jobId);
      }
      expect(view).toEqual({ status: 200, body: { id: jobId, status: "completed", result: { status: "sent", user: email } } });
    } finally {
      worker.kill("SIGTERM");
    }
    expect(await exited).toBe(0);

    const user = await findUserByEmail(email);
    expect(user?.welcomeEmailSentAt).toBeInstanceOf(Date);
    const mailDir = process.env.MAIL_DIR!;
    const files = (await readdir(mailDir)).filter((name) => name.includes(email) && name.endsWith(".eml"));
    expect(files).toHaveLength(1);
    const eml = await readFile(path.join(mailDir, files[0]!), "utf8");
    expect(eml).toContain(`To: ${email}\r\n`);
    expect(eml).toContain("Subject: Welcome!");
  });
});
