#!/usr/bin/env node
// Time to first task: from the packed CLI, on a warm package cache, to the first
// welcome email that `pnpm dev` writes, on a machine with nothing configured (the
// embedded PostgreSQL). Prints each phase and its share, then the same `pnpm dev`
// started again on the project it left (its database already initialised): the
// baseline that shows what the first start costs.
//
//   node bench/first-task.mjs [projects]      (default 2; build first: pnpm build)
import { spawn, execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";
import { median } from "./runtime/stats.mjs";

// The CLI's own pnpm lookup and the tests' free-port helper are TypeScript: tsx loads them.
register();
const { findPnpm } = await import("../packages/create-scaffold/src/pnpm.ts");
const { freePort } = await import("../test/support/waiting.ts");

const projects = Number(process.argv[2] ?? 2);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "create-scaffold-first-task-"));
// As root the embedded PostgreSQL runs as "postgres", who must be able to enter the projects.
chmodSync(work, 0o755);
const { packageManager } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const pnpm = await findPnpm(repoRoot);
if (!pnpm) throw new Error("pnpm not found (tried pnpm, corepack pnpm, npx pnpm@10)");

execFileSync("npx", ["--yes", packageManager, "pack", "--pack-destination", work], {
  cwd: path.join(repoRoot, "packages/create-scaffold"),
  stdio: "ignore",
});
const tarball = readdirSync(work).find((file) => file.endsWith(".tgz"));
execFileSync("tar", ["-xzf", path.join(work, tarball), "-C", work]);
const cli = path.join(work, "package/dist/index.js");

/** A fresh machine's environment: nothing that points the project at a datastore. */
const { REDIS_URL: _r, DATABASE_URL: _d, NODE_ENV: _n, ...freshEnv } = process.env;

const timed = (work) => {
  const start = performance.now();
  work();
  return performance.now() - start;
};

/** `pnpm dev` until the welcome email of one signup is on disk; the time to each milestone. */
async function devUntilFirstEmail(project, email) {
  const port = await freePort();
  const start = performance.now();
  const child = spawn(pnpm.file, [...pnpm.prefix, "dev"], {
    cwd: project,
    env: { ...freshEnv, PORT: String(port), NO_COLOR: "1" },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const seen = {};
  const onData = (chunk) => {
    output += chunk.toString();
    for (const [name, pattern] of [
      ["app ready", /app ready on/],
      ["worker ready", /worker ready/],
    ]) {
      if (!seen[name] && pattern.test(output)) seen[name] = performance.now() - start;
    }
  };
  child.stdout.on("data", onData);
  child.stderr.on("data", onData);
  const deadline = Date.now() + 180_000;
  const until = async (what, condition) => {
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`no ${what} within 180 s; pnpm dev printed:\n${output}`);
      await sleep(25);
    }
  };
  try {
    await until("app ready and worker ready", () => seen["app ready"] && seen["worker ready"]);
    const signedUp = performance.now();
    const response = await fetch(`http://127.0.0.1:${port}/signup`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email }),
    });
    if (response.status !== 201) throw new Error(`signup answered ${response.status}: ${await response.text()}`);
    const mailDir = path.join(project, ".data/mail");
    await until("welcome email", () => existsSync(mailDir) && readdirSync(mailDir).some((name) => name.includes(email)));
    const emailed = performance.now();
    return {
      ready: Math.max(seen["app ready"], seen["worker ready"]),
      email: emailed - signedUp,
      total: emailed - start,
    };
  } finally {
    process.kill(-child.pid, "SIGINT");
    await new Promise((resolve) => child.once("exit", resolve));
  }
}

// A throwaway project first: the package cache is warm for every measured one, as on a machine that has installed before.
const rows = [];
for (let run = 0; run <= projects; run++) {
  const project = path.join(work, `app-${run}`);
  const generateOnly = path.join(work, `gen-${run}`);
  const generate = timed(() => execFileSync("node", [cli, generateOnly, "--yes", "--no-install", "--no-git"], { stdio: "ignore" }));
  rmSync(generateOnly, { recursive: true, force: true });
  const cliTotal = timed(() =>
    execFileSync("node", [cli, project, "--yes", "--no-git"], { stdio: "ignore", env: { ...freshEnv, CI: "true" } }),
  );
  const first = await devUntilFirstEmail(project, `first-${run}@example.com`);
  const again = await devUntilFirstEmail(project, `again-${run}@example.com`);
  if (run > 0) rows.push({ generate, install: cliTotal - generate, first, again });
  rmSync(project, { recursive: true, force: true });
  process.stdout.write(run === 0 ? "warmed the cache; " : `project ${run}/${projects} done; `);
}

const m = (pick) => median(rows.map(pick));
const total = m((row) => row.generate + row.install + row.first.total);
const seconds = (ms) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
const line = (label, ms, share = true) =>
  console.log(`  ${label.padEnd(44)} ${seconds(ms)}${share ? `  ${((ms / total) * 100).toFixed(0).padStart(3)} %` : ""}`);
console.log(`\n\ntime to first task: medians of ${projects} projects, Node ${process.version}, pnpm as ${pnpm.label}`);
line(
  "create-scaffold generates the project",
  m((row) => row.generate),
);
line(
  "… and installs it (pnpm install)",
  m((row) => row.install),
);
line(
  "pnpm dev: app and worker ready",
  m((row) => row.first.ready),
);
line(
  "signup → welcome email on disk",
  m((row) => row.first.email),
);
line("total", total, false);
console.log("\nthe second pnpm dev on the same project (database initialised):");
line(
  "pnpm dev: app and worker ready",
  m((row) => row.again.ready),
  false,
);
line(
  "signup → welcome email on disk",
  m((row) => row.again.email),
  false,
);
console.log(`ratio first / second start: ${(m((row) => row.first.ready) / m((row) => row.again.ready)).toFixed(2)}x`);
rmSync(work, { recursive: true, force: true });
