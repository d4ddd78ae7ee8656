import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { runCli, tempDir } from "./support/cli.js";
import { cliPackageDir } from "./support/paths.js";
import { hashTree } from "./support/tree.js";

const unattended = ["--no-install", "--no-git"];

describe("help and version", () => {
  it("--help prints usage with every option and exits 0", async () => {
    const result = await runCli(["--help"]);
    expect(result.exitCode).toBe(0);
    for (const flag of [
      "--queue",
      "--no-queue",
      "--install",
      "--no-install",
      "--git",
      "--no-git",
      "--yes",
      "--dry-run",
      "--json",
      "--force",
      "--help",
      "--version",
    ]) {
      expect(result.stdout).toContain(flag);
    }
  });

  it("-v prints the package version", async () => {
    const { version } = JSON.parse(await readFile(path.join(cliPackageDir, "package.json"), "utf8"));
    const result = await runCli(["-v"]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout.trim()).toBe(version);
  });

  it("rejects an unknown option, and contradicting flags", async () => {
    const unknown = await runCli(["app", "--bogus"]);
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("--bogus");
    const both = await runCli(["app", "--queue", "--no-queue", "--yes"]);
    expect(both.exitCode).toBe(1);
    expect(both.stderr).toContain("--queue and --no-queue");
  });
});

describe("unattended runs", () => {
  it("fails fast naming the flags for every missing answer", async () => {
    const cwd = await tempDir();
    const result = await runCli(["my-app"], { cwd, timeout: 20_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--queue or --no-queue");
    expect(result.stderr).toContain("--install or --no-install");
    expect(result.stderr).toContain("--git or --no-git");
    expect(result.stderr).toContain("--yes");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("asks for nothing with CI=true even when only the directory is missing", async () => {
    const cwd = await tempDir();
    const result = await runCli(["--queue", ...unattended], { cwd, env: { CI: "true" }, timeout: 20_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("directory: pass the directory as the first argument");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("--yes fills in every default (directory my-app, queue on)", async () => {
    const cwd = await tempDir();
    const result = await runCli(["--yes", ...unattended], { cwd });
    expect(result.exitCode, result.all).toBe(0);
    expect(existsSync(path.join(cwd, "my-app/packages/app/src/tasks/emails.ts"))).toBe(true);
  });
});

describe("generating", () => {
  it("--queue emits core tasks and app tasks; --no-queue emits neither", async () => {
    const cwd = await tempDir();
    expect((await runCli(["with-queue", "--queue", ...unattended], { cwd })).exitCode).toBe(0);
    expect((await runCli(["without-queue", "--no-queue", ...unattended], { cwd })).exitCode).toBe(0);
    expect(existsSync(path.join(cwd, "with-queue/packages/core/src/tasks/worker.ts"))).toBe(true);
    expect(existsSync(path.join(cwd, "with-queue/packages/app/src/tasks/worker.ts"))).toBe(true);
    expect(existsSync(path.join(cwd, "without-queue/packages/core/src/tasks"))).toBe(false);
    expect(existsSync(path.join(cwd, "without-queue/packages/app/src/tasks"))).toBe(false);
    const manifest = JSON.parse(await readFile(path.join(cwd, "without-queue/.scaffold.json"), "utf8"));
    expect(manifest.answers.queue).toBe(false);
    expect(existsSync(path.join(cwd, "with-queue/node_modules"))).toBe(false); // --no-install
    expect(existsSync(path.join(cwd, "with-queue/.git"))).toBe(false); // --no-git
  });

  it("gives the project folder the same permissions as any new folder", async () => {
    const cwd = await tempDir();
    await runCli(["app", "--yes", ...unattended], { cwd });
    await mkdir(path.join(cwd, "plain"));
    expect((await stat(path.join(cwd, "app"))).mode).toBe((await stat(path.join(cwd, "plain"))).mode);
  });

  it("prints where its time went with CREATE_SCAFFOLD_TIMINGS=1, and nothing of it otherwise", async () => {
    const cwd = await tempDir();
    const timed = await runCli(["timed", "--yes", ...unattended], { cwd, env: { CREATE_SCAFFOLD_TIMINGS: "1" } });
    expect(timed.exitCode).toBe(0);
    const line = timed.stderr.split("\n").find((text) => text.startsWith("timings "));
    const phases = JSON.parse(line?.slice("timings ".length) ?? "{}") as Record<string, number>;
    expect(Object.keys(phases)).toEqual(["node start and CLI load", "options and target check", "template read", "plan", "write", "exit"]);
    for (const ms of Object.values(phases)) expect(ms).toBeGreaterThanOrEqual(0);
    const plain = await runCli(["plain", "--yes", ...unattended], { cwd });
    expect(plain.stderr).not.toContain("timings");
  });

  it("restores dot-files that npm would drop from the package", async () => {
    const cwd = await tempDir();
    await runCli(["app", "--yes", ...unattended], { cwd });
    expect(existsSync(path.join(cwd, "app/.gitignore"))).toBe(true);
    expect(existsSync(path.join(cwd, "app/_gitignore"))).toBe(false);
  });

  it("--git initialises a repository with one commit holding every file", async () => {
    const cwd = await tempDir();
    const result = await runCli(["app", "--yes", "--no-install", "--git"], { cwd });
    expect(result.exitCode, result.all).toBe(0);
    const project = path.join(cwd, "app");
    const log = await execa("git", ["log", "--oneline"], { cwd: project });
    expect(log.stdout.trim().split("\n")).toHaveLength(1);
    const status = await execa("git", ["status", "--porcelain"], { cwd: project });
    expect(status.stdout).toBe("");
    expect((await execa("git", ["ls-files"], { cwd: project })).stdout).toContain("packages/core/README.md");
  });

  it("skips git init, with a note, inside an existing work tree", async () => {
    const cwd = await tempDir();
    await execa("git", ["init", "--quiet"], { cwd });
    const result = await runCli(["app", "--yes", "--no-install", "--git"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("already inside a git work tree");
    expect(existsSync(path.join(cwd, "app/.git"))).toBe(false);
  });

  it("generates into an existing folder that holds only harmless entries", async () => {
    const cwd = await tempDir();
    await mkdir(path.join(cwd, "app/.git"), { recursive: true });
    await writeFile(path.join(cwd, "app/.DS_Store"), "x");
    const result = await runCli(["app", "--yes", ...unattended], { cwd });
    expect(result.exitCode, result.all).toBe(0);
    expect(existsSync(path.join(cwd, "app/package.json"))).toBe(true);
    expect(await readFile(path.join(cwd, "app/.DS_Store"), "utf8")).toBe("x");
  });
});

describe("--dry-run", () => {
  it("lists every file with its size and writes nothing", async () => {
    const cwd = await tempDir();
    const result = await runCli(["app", "--queue", "--dry-run"], { cwd });
    expect(result.exitCode, result.all).toBe(0);
    expect(result.stdout).toMatch(/^\s*\d+\s+packages\/core\/src\/tasks\/worker\.ts$/m);
    expect(result.stdout).toMatch(/^\s*\d+\s+\.scaffold\.json$/m);
    expect(await readdir(cwd)).toEqual([]);
  });

  it("--json prints the plan, matching what a real run writes", async () => {
    const cwd = await tempDir();
    const dry = await runCli(["app", "--no-queue", "--dry-run", "--json"], { cwd });
    expect(dry.exitCode).toBe(0);
    const plan = JSON.parse(dry.stdout) as { name: string; answers: { queue: boolean }; files: { path: string; bytes: number }[] };
    expect(plan.name).toBe("app");
    expect(plan.answers.queue).toBe(false);
    expect(await readdir(cwd)).toEqual([]);

    await runCli(["app", "--no-queue", ...unattended], { cwd });
    const written = await hashTree(path.join(cwd, "app"));
    expect(plan.files.map((file) => file.path).sort()).toEqual([...written.keys()].map((p) => p.split(path.sep).join("/")).sort());
    for (const file of plan.files) {
      expect((await readFile(path.join(cwd, "app", file.path))).length, file.path).toBe(file.bytes);
    }
  });

  it("--json without --dry-run is refused", async () => {
    const result = await runCli(["app", "--yes", "--json"], { cwd: await tempDir() });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("--json goes with --dry-run");
  });
});

describe("invalid names", () => {
  const invalid = [
    "My App", // capitals and a space
    "MyApp", // capitals
    ".hidden", // leading period
    "_private", // leading underscore
    "node_modules", // reserved
    "favicon.ico", // reserved
    "x".repeat(215), // too long
    "café", // non-ASCII
    "日本語", // non-ASCII
    "hello world", // space
    "a~b", // special character
    "what?", // not URL-friendly
  ];

  it.each(invalid)("refuses %j with a reason and writes nothing", async (name) => {
    const cwd = await tempDir();
    const result = await runCli([name, "--yes", ...unattended], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("cannot be the project's package name");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("suggests a valid name", async () => {
    const result = await runCli(["My Cool_App", "--yes", ...unattended], { cwd: await tempDir() });
    expect(result.stderr).toContain("Try: create-scaffold my-cool_app");
  });
});

describe("non-empty target", () => {
  async function occupiedFolder() {
    const cwd = await tempDir();
    const target = path.join(cwd, "app");
    await mkdir(path.join(target, "src"), { recursive: true });
    await writeFile(path.join(target, "package.json"), '{"name":"mine"}\n');
    await writeFile(path.join(target, "src/notes.txt"), "keep me\n");
    return { cwd, target };
  }

  it("is refused with the list of conflicting entries, and left untouched", async () => {
    const { cwd, target } = await occupiedFolder();
    const before = await hashTree(target);
    const result = await runCli(["app", "--yes", ...unattended], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("package.json");
    expect(result.stderr).toContain("src");
    expect(result.stderr).toContain("--force");
    expect(await hashTree(target)).toEqual(before);
    expect((await readdir(cwd)).sort()).toEqual(["app"]); // no staging folder left
  });

  it("--force overwrites only emitted files and deletes nothing", async () => {
    const { cwd, target } = await occupiedFolder();
    const result = await runCli(["app", "--yes", "--force", ...unattended], { cwd });
    expect(result.exitCode, result.all).toBe(0);
    expect(await readFile(path.join(target, "src/notes.txt"), "utf8")).toBe("keep me\n");
    expect(JSON.parse(await readFile(path.join(target, "package.json"), "utf8")).name).toBe("app");
    expect(existsSync(path.join(target, "packages/core/README.md"))).toBe(true);
  });

  it("refuses a path that is a file", async () => {
    const cwd = await tempDir();
    await writeFile(path.join(cwd, "app"), "a file");
    const result = await runCli(["app", "--yes", ...unattended], { cwd });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("not a directory");
    expect(await readFile(path.join(cwd, "app"), "utf8")).toBe("a file");
  });
});

describe("failures leave nothing behind", () => {
  it("an interrupted write leaves no project and no staging folder", async () => {
    const cwd = await tempDir();
    const result = await runCli(["app", "--yes", ...unattended], { cwd, env: { CREATE_SCAFFOLD_FAIL_AFTER_FILES: "5" } });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Simulated failure after 5 files");
    expect(await readdir(cwd)).toEqual([]);
  });

  it("Ctrl-C during the install keeps the complete project, says how to finish, exits 130", async () => {
    const cwd = await tempDir();
    const child = runCli(["app", "--yes", "--install", "--no-git"], { cwd, timeout: 120_000 });
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Installing dependencies")) child.kill("SIGINT");
    });
    const result = await child;
    expect(result.exitCode).toBe(130);
    expect(result.stderr).toContain("Cancelled. The project is complete; to finish: cd app && pnpm install");
    expect(existsSync(path.join(cwd, "app/.scaffold.json"))).toBe(true);
  });

  it("a failing install keeps the complete project, says how to retry, exits 1", async () => {
    const cwd = await tempDir();
    // A registry that refuses connections makes pnpm itself fail for real.
    const env = { npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_offline: "false" };
    const result = await runCli(["app", "--yes", "--install", "--no-git"], { cwd, env, timeout: 170_000 });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("The project is complete; only the install failed");
    expect(result.stderr).toContain("cd app && pnpm install");
    expect(existsSync(path.join(cwd, "app/packages/core/README.md"))).toBe(true);
    expect(existsSync(path.join(cwd, "app/.scaffold.json"))).toBe(true);
  });
});
