import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/cli.js";
import { cliPath } from "./support/paths.js";

/**
 * Runs the CLI on a real pseudo-terminal (util-linux `script`), answering each
 * prompt only once its question has appeared, so no keystroke races a render.
 */
async function runInTerminal(cwd: string, dialogue: [question: string, keys: string][]) {
  const { CI: _ci, ...env } = process.env;
  const child = execa("script", ["-qefc", `stty cols 120 rows 40; node ${cliPath}`, "/dev/null"], {
    cwd,
    env: { ...env, COLUMNS: "120" },
    extendEnv: false,
    stdin: "pipe",
    reject: false,
    timeout: 60_000,
  });
  let screen = "";
  let step = 0;
  child.stdout!.on("data", (chunk: Buffer) => {
    screen += chunk.toString();
    const next = dialogue[step];
    if (next && screen.includes(next[0])) {
      step++;
      screen = "";
      // Let the prompt finish drawing and start listening before typing.
      setTimeout(() => child.stdin!.write(next[1]), 300);
    }
  });
  const result = await child;
  return { exitCode: result.exitCode, output: String(result.stdout) };
}

const hasScript = await execa("script", ["--version"], { reject: false }).then((r) => r.exitCode === 0, () => false);
if (!hasScript) console.warn("SKIPPED: interactive tests need util-linux `script` for a pseudo-terminal");

describe.skipIf(!hasScript)("with a terminal", () => {
  it("Ctrl-C at a prompt prints Cancelled, exits 130 and writes nothing", async () => {
    const cwd = await tempDir();
    const result = await runInTerminal(cwd, [["Where should the project go?", "\u0003"]]);
    expect(result.exitCode).toBe(130);
    expect(result.output).toContain("Cancelled");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("asks every question and generates what was answered", async () => {
    const cwd = await tempDir();
    const result = await runInTerminal(cwd, [
      ["Where should the project go?", "demo\r"],
      ["Enable the background job queue?", "n\r"],
      ["Install dependencies with pnpm?", "n\r"],
      ["Initialise a git repository?", "n\r"],
    ]);
    expect(result.exitCode, result.output).toBe(0);
    expect(result.output).toContain("Next steps");
    const project = path.join(cwd, "demo");
    expect(JSON.parse(await readFile(path.join(project, ".scaffold.json"), "utf8")).answers.queue).toBe(false);
    expect(existsSync(path.join(project, "node_modules"))).toBe(false);
    expect(existsSync(path.join(project, ".git"))).toBe(false);
  });
});
