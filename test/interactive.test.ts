import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { tempDir } from "./support/cli.js";
import { cliPath } from "./support/paths.js";
import { hasTerminal, runInTerminal } from "./support/terminal.js";

describe.skipIf(!hasTerminal)("with a terminal", () => {
  it("Ctrl-C at a prompt prints Cancelled, exits 130 and writes nothing", async () => {
    const cwd = await tempDir();
    const result = await runInTerminal(`node ${cliPath}`, cwd, [["Where should the project go?", "\u0003"]]);
    expect(result.exitCode).toBe(130);
    expect(result.output).toContain("Cancelled");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("asks every question and generates what was answered", async () => {
    const cwd = await tempDir();
    const result = await runInTerminal(`node ${cliPath}`, cwd, [
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
