import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, expectTypeOf, it } from "vitest";
import { closeDatabase, UserModel } from "@repo/core";
import { createWorker, type TaskResult } from "@repo/core/tasks";
import { sendWelcomeEmail } from "./emails.js";
import { worker } from "./worker.js";

const appDir = fileURLToPath(new URL("../..", import.meta.url));
const newUser = () => UserModel.create({ email: `${randomUUID()}@example.com` });

// A task this test process knows but the worker process does not (not imported in worker.ts).
const outsider = createWorker();
const unregistered = outsider.task("notImportedInWorkerTs", async () => "never");

afterAll(async () => {
  await outsider.close();
  await worker.close();
  await closeDatabase();
});

/** Starts `src/start-worker.ts` as a real process and resolves once it consumes the queue. */
function startWorker(): { child: ChildProcess; ready: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ["--conditions=development", "--import", "tsx", "src/start-worker.ts"], {
    cwd: appDir,
    // "worker ready" is an info line, below the tests' default level (warn).
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("worker ready")) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then((code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
  });
  return { child, ready, exited };
}

describe("sendWelcomeEmail", () => {
  it("runs in-process when called directly", async () => {
    const user = await newUser();
    expect(await sendWelcomeEmail(user.id)).toEqual({ status: "sent", user: user.email });
    expect((await UserModel.get(user.id))?.welcomeEmailSentAt).toBeInstanceOf(Date);
    expect(await sendWelcomeEmail(randomUUID())).toEqual({ status: "skipped" });
  });

  it("types flow from the task function to enqueue and result", () => {
    expectTypeOf(sendWelcomeEmail.enqueue).parameters.toEqualTypeOf<[userId: string]>();
    type Value = Extract<Awaited<ReturnType<Awaited<ReturnType<typeof sendWelcomeEmail.enqueue>>["result"]>>, { success: true }>["value"];
    expectTypeOf<Value>().toEqualTypeOf<{ status: "skipped"; user?: undefined } | { status: "sent"; user: string }>();
    expectTypeOf<TaskResult<number>>().toMatchTypeOf<{ success: boolean }>();
  });

  it("is run by a real worker process; aborted tasks never run; SIGTERM exits 0", async () => {
    // Queued and scheduled tasks are aborted before any worker exists, so they cannot have started.
    const abortedUser = await newUser();
    const queued = await sendWelcomeEmail.enqueue(abortedUser.id);
    expect(await queued.status()).toBe("queued");
    const scheduled = await sendWelcomeEmail.with({ delay: 3_600_000 }).enqueue(abortedUser.id);
    expect(await scheduled.status()).toBe("scheduled");
    expect(await queued.abort()).toBe(true);
    expect(await scheduled.abort()).toBe(true);
    expect(await queued.status()).toBe("aborted");
    expect(await scheduled.result()).toMatchObject({ success: false, error: { name: "TaskAbortedError" } });

    const { child, ready, exited } = startWorker();
    try {
      await ready;
      const user = await newUser();
      const task = await sendWelcomeEmail.enqueue(user.id);
      expect(task.id).toEqual(expect.any(String));
      const result = await task.result({ timeout: 30_000 });
      expect(result).toEqual({ success: true, value: { status: "sent", user: user.email } });
      expect(await task.status()).toBe("completed");
      // A handle rebuilt from the id sees the same task.
      expect(await sendWelcomeEmail.handle(task.id).status()).toBe("completed");
      expect(await task.abort()).toBe(false);

      const failing = await unregistered.enqueue();
      const failure = await failing.result({ timeout: 30_000 });
      expect(failure.success).toBe(false);
      if (!failure.success) {
        expect(failure.error.message).toContain('"notImportedInWorkerTs"');
        expect(failure.error.message).toContain("packages/app/src/tasks/worker.ts");
      }
      expect(await failing.status()).toBe("failed");

      // The worker ran tasks queued after the aborted ones: those, had they existed, came first.
      expect((await UserModel.get(abortedUser.id))?.welcomeEmailSentAt).toBeNull();
      expect(await queued.status()).toBe("aborted");
      expect(await sendWelcomeEmail.handle(randomUUID()).status()).toBe("not_found");
    } finally {
      child.kill("SIGTERM");
    }
    expect(await exited).toBe(0);
  });
});
