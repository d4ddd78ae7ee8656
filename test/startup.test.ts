import { writeFile } from "node:fs/promises";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import { beforeAll, describe, expect, it } from "vitest";
import { editFile } from "./support/files.js";
import { generateProject } from "./support/generate.js";
import { findPostgres, missing } from "./support/services.js";
import { freePort } from "./support/waiting.js";
import { freshMachine } from "./support/fresh-machine.js";

/**
 * A generated project's server and worker started wrongly configured, as a new user
 * starts them: each problem is said once, in one clear message, and the process exits 1
 * — no stack, no object dump, no password.
 */

const postgresUrl = await findPostgres();
const skipPostgres = missing("PostgreSQL", postgresUrl);

const entryPoints = { server: "src/main.ts", worker: "src/start-worker.ts" } as const;

let project: string;
beforeAll(async () => {
  project = await generateProject({ queue: true, install: true });
}, 600_000);

/** Starts an entry point of the app as `pnpm dev` does, with `env` over a fresh machine's; resolves when it exits. */
async function start(which: keyof typeof entryPoints, env: Record<string, string>) {
  const result = await execa("node", ["--conditions=development", "--import", "tsx", entryPoints[which]], {
    cwd: path.join(project, "packages/app"),
    env: { ...freshMachine, PORT: String(await freePort()), ...env },
    extendEnv: false,
    all: true,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: result.exitCode, timedOut: result.timedOut, output: stripVTControlCharacters(result.all ?? "") };
}

/** Exit 1 within the deadline, with `expected` in the output and nothing a user should not see. */
function expectCleanRefusal(run: Awaited<ReturnType<typeof start>>, expected: string[]) {
  expect(run.timedOut, run.output).toBe(false);
  expect(run.exitCode, run.output).toBe(1);
  for (const line of expected) expect(run.output).toContain(line);
  expect(run.output).not.toMatch(/^\s+at /m); // a stack trace
  expect(run.output).not.toMatch(/\{\s*$|errno:|code: '/m); // an object dump
  expect(run.output).not.toContain("s3cret");
}

describe.each(Object.keys(entryPoints) as (keyof typeof entryPoints)[])("the %s", (which) => {
  it("reports every configuration problem at once", async () => {
    const run = await start(which, { REDIS_URL: "http://x", TASKS_CONCURRENCY: "abc", HTTP_TIMEOUT_MS: "soon", LOG_LEVEL: "loud" });
    expectCleanRefusal(run, [
      "Invalid configuration:",
      "  - REDIS_URL must start with redis:// or rediss:// or redis+sentinel:// or redis+cluster://, got http://…",
      '  - TASKS_CONCURRENCY must be a number of tasks, got "abc"',
      '  - HTTP_TIMEOUT_MS must be a number of milliseconds, got "soon"',
      '  - LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "loud".',
    ]);
  });

  it("names the database it cannot reach (password hidden) and what to check", async () => {
    const port = await freePort();
    const run = await start(which, { DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/app` });
    expectCleanRefusal(run, [
      `Cannot reach the database at postgres://app:***@127.0.0.1:${port}/app: connect ECONNREFUSED 127.0.0.1:${port}.`,
      "Check that PostgreSQL is running and accepts connections from here, and that DATABASE_URL is right",
    ]);
    expect(
      run.output
        .trim()
        .split("\n")
        .filter((line) => line.includes("Cannot reach")),
    ).toHaveLength(1);
  });

  it.skipIf(skipPostgres)("says so when the database does not exist", async () => {
    const url = new URL(postgresUrl as string);
    url.pathname = "/no_such_database_here";
    const run = await start(which, { DATABASE_URL: url.toString() });
    expectCleanRefusal(run, ['database "no_such_database_here" does not exist', "that DATABASE_URL is right"]);
  });

  it("refuses a task module that declares a bad cron schedule, naming the task and the pattern", async () => {
    const registration = path.join(project, "packages/app/src/tasks/worker.ts");
    await writeFile(
      path.join(project, "packages/app/src/tasks/nightly.ts"),
      'import { worker } from "./worker.js";\n\nexport const nightly = worker.cron("61 * * * *", "nightly", async () => "done");\n',
    );
    await editFile(registration, (text) => `${text}import "./nightly.js";\n`);
    try {
      const run = await start(which, {});
      expectCleanRefusal(run, [
        'Invalid declaration: Task "nightly": cron pattern "61 * * * *" cannot be read (Constraint error, got value 61 expected range 0-59).',
      ]);
    } finally {
      await editFile(registration, (text) => text.replace('import "./nightly.js";\n', ""));
    }
  });
});
