#!/usr/bin/env node
// Signups under load against a generated project built and run in production — the
// server (`pnpm start`) and a worker (`pnpm worker`), with the queue on the machine's
// Redis and on its PostgreSQL — side by side with the same project generated without
// the job queue (the baseline: signups recorded, no welcome email at all). Prints
// requests/s, latency p50/p99 and how long until every welcome email was sent, with
// ratios against the baseline.
//
//   node bench/load.mjs [--signups 2000] [--connections 50]     (build first: pnpm build)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { allWelcomed, signupLoad } from "./load/signups.mjs";

const { values } = parseArgs({ options: { signups: { type: "string", default: "2000" }, connections: { type: "string", default: "50" } } });
const signups = Number(values.signups);
const connections = Number(values.connections);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const cli = path.join(repoRoot, "packages/create-scaffold/dist/index.js");
const { packageManager } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const postgresUrl = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
const work = mkdtempSync(path.join(os.tmpdir(), "create-scaffold-load-"));
spawnSync("chmod", ["755", work]);

function run(command, args, cwd) {
  const result = spawnSync(command, args, { cwd, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

/** A project generated, installed and built: `queue` on or off. */
function project(queue) {
  const dir = path.join(work, queue ? "with-queue" : "without-queue");
  run("node", [cli, dir, "--yes", "--no-git", "--install", queue ? "--queue" : "--no-queue"], work);
  run("npx", ["--yes", packageManager, "build"], dir);
  return dir;
}

async function onServer(statement) {
  const client = new pg.Client({ connectionString: postgresUrl });
  await client.connect();
  await client.query(statement).finally(() => client.end());
}

function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** Starts a script of the project in its own process group; resolves once `ready` is printed. */
function start(dir, script, env, ready) {
  const child = spawn("npx", ["--yes", packageManager, script], { cwd: dir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  return new Promise((resolve, reject) => {
    let output = "";
    const onData = (chunk) => {
      output += chunk;
      if (ready.test(output)) resolve(() => process.kill(-child.pid, "SIGTERM"));
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`)));
  });
}

/**
 * One round: a fresh database, the server and (for a queue) a worker started alongside
 * or — `workerAfter` — only once every signup is answered, which shows what a request
 * costs on its own, without a worker sharing the machine's cores.
 */
async function measure({ label, dir, queue, workerAfter = false }) {
  const database = `scaffold_load_${process.pid}_${queue ?? "plain"}`;
  await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await onServer(`CREATE DATABASE ${database}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${database}`;
  const port = await freePort();
  const mailDir = mkdtempSync(path.join(os.tmpdir(), "load-mail-"));
  const { REDIS_URL: _unset, ...machine } = process.env;
  const env = {
    ...machine,
    NODE_ENV: "production",
    DATABASE_URL: url.toString(),
    // Without REDIS_URL the queue lives in the database.
    ...(queue === "redis" ? { REDIS_URL: redisUrl } : {}),
    TASKS_QUEUE: `load-bench-${process.pid}-${rounds++}`,
    TASKS_CONCURRENCY: "20",
    MAIL_DIR: mailDir,
    PORT: String(port),
    SIGNUP_RATE_LIMIT: "1000000",
  };
  const stops = [await start(dir, "start", env, /app ready on/)];
  const startWorker = async () => stops.push(await start(dir, "worker", env, /worker ready/));
  try {
    if (queue && !workerAfter) await startWorker();
    const load = await signupLoad({ baseUrl: `http://127.0.0.1:${port}`, count: signups, connections, prefix: label.replace(/\W+/g, "") });
    const failed = [...load.statuses.values()].filter((status) => status !== 201).length;
    if (queue && workerAfter) await startWorker();
    const emails = queue ? await allWelcomed(mailDir, [...load.statuses.keys()]) : undefined;
    return { label, rate: load.requestsPerSecond, p50: load.latency.p50, p99: load.latency.p99, failed, emailsSeconds: emails?.seconds };
  } finally {
    for (const stop of stops) stop();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await onServer(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  }
}

let rounds = 0;
console.log(`Generating and building two projects in ${work} …`);
const withQueue = project(true);
const withoutQueue = project(false);
const contenders = [
  { label: "no job queue (no welcome email)", dir: withoutQueue },
  { label: "job queue on Redis", dir: withQueue, queue: "redis" },
  { label: "job queue on Redis, worker after", dir: withQueue, queue: "redis", workerAfter: true },
  { label: "job queue on PostgreSQL", dir: withQueue, queue: "postgres" },
  { label: "job queue on PostgreSQL, worker after", dir: withQueue, queue: "postgres", workerAfter: true },
];
const rows = [];
// Interleaved, twice each, so all see the same machine; the best of each figure, as a
// slow round says more about the machine than about any contender.
for (let round = 0; round < 2; round++) {
  for (const contender of contenders) rows.push(await measure(contender));
}
const best = (label, key, pick) => pick(...rows.filter((row) => row.label === label).map((row) => row[key]));
const summary = contenders.map(({ label }) => ({
  label,
  rate: best(label, "rate", Math.max),
  p50: best(label, "p50", Math.min),
  p99: best(label, "p99", Math.min),
  failed: best(label, "failed", Math.max),
  emailsSeconds: best(label, "emailsSeconds", Math.min),
}));
const baseline = summary[0];
console.log(
  `\n${signups} signups, ${connections} at a time, best of 2 rounds; server and worker built, in production, on this machine's PostgreSQL (and Redis)`,
);
console.log(
  "contender                                  signups/s  p50 (ms)  p99 (ms)  failed  emails done (s)  signups/s ratio  p99 ratio",
);
for (const row of summary) {
  const emails = Number.isFinite(row.emailsSeconds) ? row.emailsSeconds.toFixed(1) : "—";
  console.log(
    [
      row.label.padEnd(41),
      Math.round(row.rate).toString().padStart(9),
      String(row.p50).padStart(8),
      String(row.p99).padStart(8),
      String(row.failed).padStart(6),
      emails.padStart(15),
      (row.rate / baseline.rate).toFixed(2).padStart(15),
      (row.p99 / baseline.p99).toFixed(2).padStart(9),
    ].join("  "),
  );
}
console.log(
  "ratios against the project without a job queue. emails done: seconds from the last answer (worker after: from the worker's start) until every welcome email was written.",
);
