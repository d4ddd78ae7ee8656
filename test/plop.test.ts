// The plop generator shipped in generated projects (plopfile.js, scripts/plop.mjs,
// plop-templates/), run the way a user runs it: the project's own `plop` script
// through pnpm, with no terminal (stdin ignored).
import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { generateProject } from "./support/generate.js";
import { pnpm, pnpmCommandLine } from "./support/pnpm.js";
import { runInTerminal, hasTerminal } from "./support/terminal.js";
import { hashTree as snapshot } from "./support/tree.js";

const TASKS = "packages/app/src/tasks";

/** `pnpm plop ...` in `dir`, never rejecting: callers check the exit code. */
async function plop(dir: string, args: string[]) {
  const { CI: _ci, ...env } = process.env; // no CI, so only the missing TTY makes it unattended
  const result = await pnpm(["--silent", "plop", ...args], { cwd: dir, reject: false, extendEnv: false, env });
  return { exitCode: result.exitCode, output: stripVTControlCharacters(String(result.all ?? "")) };
}

const read = (dir: string, rel: string) => readFile(path.join(dir, rel), "utf8");

/** `pnpm plop task <name>` fails with `message` and leaves every file as it was. */
async function expectRefusedUnchanged(dir: string, name: string, message: RegExp) {
  const before = await snapshot(dir);
  const result = await plop(dir, ["task", name]);
  expect(result.exitCode).not.toBe(0);
  expect(result.output).toMatch(message);
  expect(await snapshot(dir)).toEqual(before);
}

describe("pnpm plop task, job queue on", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await generateProject({ queue: true, install: true });
  });

  it("adds a task module and its test, and registers it at the bottom of worker.ts", async () => {
    const workerBefore = await read(dir, `${TASKS}/worker.ts`);
    const before = await snapshot(dir);

    const result = await plop(dir, ["task", "send-daily-report"]);
    expect(result.exitCode, result.output).toBe(0);

    const after = await snapshot(dir);
    const changed = [...after.keys()].filter((f) => before.get(f) !== after.get(f)).sort();
    expect(changed).toEqual([`${TASKS}/send-daily-report.test.ts`, `${TASKS}/send-daily-report.ts`, `${TASKS}/worker.ts`]);
    expect([...before.keys()].filter((f) => !after.has(f))).toEqual([]);

    const task = await read(dir, `${TASKS}/send-daily-report.ts`);
    expect(task).toContain('import { worker } from "./worker.js";');
    expect(task).toContain('export const sendDailyReport = worker.task("sendDailyReport", async (input: string) => {');

    const test = await read(dir, `${TASKS}/send-daily-report.test.ts`);
    expect(test).toContain('import { sendDailyReport } from "./send-daily-report.js";');
    expect(test).toMatch(/await expect\(sendDailyReport\("example"\)\)\.resolves\.toEqual\(/);

    // Every existing line kept, in order; the import is the new last line.
    const workerAfter = await read(dir, `${TASKS}/worker.ts`);
    const oldLines = workerBefore.trimEnd().split("\n");
    const newLines = workerAfter.trimEnd().split("\n");
    expect(newLines.slice(0, oldLines.length)).toEqual(oldLines);
    expect(newLines.slice(oldLines.length)).toEqual(['import "./send-daily-report.js";']);
    expect(workerAfter.endsWith("\n")).toBe(true);

    // A second task goes below the first.
    const second = await plop(dir, ["task", "cleanupUploads"]);
    expect(second.exitCode, second.output).toBe(0);
    expect((await read(dir, `${TASKS}/worker.ts`)).trimEnd().split("\n").slice(-2)).toEqual([
      'import "./send-daily-report.js";',
      'import "./cleanup-uploads.js";',
    ]);
    expect(await read(dir, `${TASKS}/cleanup-uploads.ts`)).toContain('export const cleanupUploads = worker.task("cleanupUploads",');
  });

  it("leaves a project that typechecks, and whose new task test passes", async () => {
    await expect(read(dir, `${TASKS}/send-daily-report.test.ts`)).resolves.toBeTruthy();
    const typecheck = await pnpm(["--filter", "@repo/app", "exec", "tsc", "--noEmit"], { cwd: dir, reject: false });
    expect(typecheck.exitCode, String(typecheck.all)).toBe(0);
    const test = await pnpm(
      ["--filter", "@repo/app", "exec", "vitest", "run", "src/tasks/send-daily-report.test.ts", "src/tasks/cleanup-uploads.test.ts"],
      { cwd: dir, reject: false },
    );
    expect(test.exitCode, String(test.all)).toBe(0);
    expect(stripVTControlCharacters(String(test.all))).toMatch(/Tests\s+2 passed/);
  });

  it.each([
    ["send-daily-report", /already exists/], // created above: the file is there
    ["sendDailyReport", /already exists/], // same task, other spelling
    ["send-welcome-email", /already exists: it is registered in/], // the example task, registered in emails.ts
    ["emails", /already exists/],
  ])("refuses the existing task %j, changing nothing", async (name, message) => {
    await expectRefusedUnchanged(dir, name, message);
  });

  it("refuses a task already registered in worker.ts even without its file", async () => {
    await appendFile(path.join(dir, TASKS, "worker.ts"), 'import "./ghost-task.js";\n');
    await expectRefusedUnchanged(dir, "ghost-task", /already registered/);
  });

  it.each([
    ["9lives", /not a valid task name/],
    ["a b!", /not a valid task name/],
    ["", /task name is required/],
    ["-", /not a valid task name/],
    ["send.report", /not a valid task name/],
    ["$dollar", /not a valid task name/],
    ["class", /reserved word/],
    ["delete", /reserved word/],
    ["await", /reserved word/],
    ["Enum", /reserved word/],
    ["worker", /already import/],
    ["expect", /already import/],
  ])("refuses the invalid name %j, changing nothing", async (name, message) => {
    await expectRefusedUnchanged(dir, name, message);
  });

  it.skipIf(!hasTerminal)("asks for the name in a terminal, re-asking after an invalid one", async () => {
    const result = await runInTerminal(`${await pnpmCommandLine()} --silent plop task`, dir, [
      ["Task name", "9lives\r"],
      ["not a valid task name", "\u0015archive-orders\r"], // Ctrl-U clears the bad answer
    ]);
    expect(result.exitCode, result.output).toBe(0);
    expect(await read(dir, `${TASKS}/archive-orders.ts`)).toContain('worker.task("archiveOrders",');
    expect((await read(dir, `${TASKS}/worker.ts`)).trimEnd().split("\n").at(-1)).toBe('import "./archive-orders.js";');
  });

  it("fails fast without a terminal when no name is given, naming what to pass", async () => {
    const before = await snapshot(dir);
    for (const args of [["task"], ["task", "_"]]) {
      const result = await plop(dir, args);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain("pnpm plop task <name>");
    }
    expect(await snapshot(dir)).toEqual(before);
  });

  it("exits non-zero when the plopfile itself fails to load", async () => {
    const plopfile = path.join(dir, "plopfile.js");
    const original = await readFile(plopfile, "utf8");
    await writeFile(plopfile, `${original}\nthis is not javascript\n`);
    try {
      const result = await plop(dir, ["task", "after-a-broken-plopfile"]);
      expect(result.exitCode, result.output).not.toBe(0);
      expect(result.output).toContain("plop file");
      await expect(readdir(path.join(dir, TASKS))).resolves.not.toContain("after-a-broken-plopfile.ts");
    } finally {
      await writeFile(plopfile, original);
    }
  });
});

describe("pnpm plop task, job queue off", () => {
  it("refuses, saying the job queue is not enabled and how to enable it", async () => {
    const dir = await generateProject({ queue: false, install: true });
    const before = await snapshot(dir);
    for (const args of [["task", "send-report"], ["task"]]) {
      const result = await plop(dir, args);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain("not enabled in this project");
      expect(result.output).toContain("--queue");
    }
    expect(await snapshot(dir)).toEqual(before);
  });
});
