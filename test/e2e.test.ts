import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import { execa } from "execa";
import pg from "pg";
import { beforeAll, describe, expect, it } from "vitest";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { packCli } from "./support/pack.js";
import { pnpm, projectScript as runProjectScript } from "./support/pnpm.js";
import { findPostgres, findRedis, missing } from "./support/services.js";

/**
 * The whole user journey, on the real parts: pack the CLI as it would be
 * published, generate from the tarball with npx (which installs and commits),
 * then typecheck and run the generated project's own tests, whose worker
 * process runs real tasks on a real queue.
 */

const redisUrl = await findRedis();
const postgresUrl = await findPostgres();
const skipRedis = missing("Redis", redisUrl);
const skipPostgres = missing("PostgreSQL", postgresUrl);

// The generated project chooses its datastores from these; each run sets its own.
const { REDIS_URL: _r, DATABASE_URL: _d, ...baseEnv } = process.env;
const embeddedOnly = baseEnv;

let tarball: string;

beforeAll(async () => {
  tarball = await packCli();
});

async function generateFromTarball(args: string[]) {
  const cwd = await tempDir("create-scaffold-e2e-");
  const project = path.join(cwd, "my-app");
  // As the README says: npx ./create-scaffold-<version>.tgz, from the tarball's folder.
  const result = await execa("npx", ["--yes", `./${path.basename(tarball)}`, project, ...args], {
    cwd: path.dirname(tarball),
    stdin: "ignore",
    all: true,
    reject: false,
    env: { CI: "true" },
  });
  expect(result.exitCode, result.all).toBe(0);
  return project;
}

/** A root script of the generated project, on the embedded PostgreSQL unless `env` says otherwise. */
const projectScript = (project: string, args: string[], env: NodeJS.ProcessEnv = embeddedOnly) => runProjectScript(project, args, env);

describe("a queue-on project generated from the packed tarball", () => {
  let project: string;

  beforeAll(async () => {
    project = await generateFromTarball(["--yes"]);
  }, 600_000);

  it("was installed and committed by the CLI", async () => {
    expect(existsSync(path.join(project, "node_modules/.pnpm"))).toBe(true);
    const log = await execa("git", ["log", "--oneline"], { cwd: project });
    expect(log.stdout.trim().split("\n")).toHaveLength(1);
  });

  it("typechecks and builds", async () => {
    await projectScript(project, ["typecheck"]);
    await projectScript(project, ["build"]);
    expect(existsSync(path.join(project, "packages/app/dist/tasks/emails.js"))).toBe(true);
  });

  it("passes its own tests on the embedded PostgreSQL, printing no connection errors", async () => {
    const output = await projectScript(project, ["test"]);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/\d+ skipped/);
    expect(output).not.toMatch(/Lost the connection|Cannot reach|ECONNREFUSED|idle client error/);
  });

  it.skipIf(skipRedis)("passes its own tests with the queue on Redis", async () => {
    const env = { ...embeddedOnly, REDIS_URL: redisUrl, ...(postgresUrl ? { DATABASE_URL: postgresUrl } : {}) };
    const output = await projectScript(project, ["test"], env);
    expect(output).toMatch(/Tests\s+\d+ passed/);
    expect(output).not.toMatch(/Lost the connection|Cannot reach|ECONNREFUSED|idle client error/);
  });

  it.skipIf(skipPostgres)(
    "passes its own tests with the queue on the machine's PostgreSQL, writing nothing into DATABASE_URL's database",
    async () => {
      // The developer's own database, exported as DATABASE_URL while they run the tests.
      const theirs = await freshDatabase(postgresUrl as string, "developer");
      try {
        const output = await projectScript(project, ["test"], { ...embeddedOnly, DATABASE_URL: theirs.url });
        expect(output).toMatch(/Tests\s+\d+ passed/);
        const client = new pg.Client({ connectionString: theirs.url });
        await client.connect();
        const tables = await client.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN ('pg_catalog', 'information_schema')",
        );
        const leftovers = await client.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [
          `${new URL(theirs.url).pathname.slice(1)}_test_%`,
        ]);
        await client.end();
        expect(tables.rows).toEqual([]); // the tests ran in a database of their own…
        expect(leftovers.rows).toEqual([]); // …which they dropped
      } finally {
        await theirs.drop();
      }
    },
  );

  it("has a worker:health script that fails, saying why, when no worker runs", async () => {
    const result = await pnpm(["worker:health"], { cwd: project, env: embeddedOnly, extendEnv: false, reject: false, timeout: 60_000 });
    expect(result.exitCode).toBe(1);
    expect(stripVTControlCharacters(String(result.all))).toContain("worker:health failing");
  });

  it("adds a task with plop that typechecks and passes its tests", async () => {
    await projectScript(project, ["plop", "task", "reports"]);
    expect(existsSync(path.join(project, "packages/app/src/tasks/reports.ts"))).toBe(true);
    const registration = await readFile(path.join(project, "packages/app/src/tasks/worker.ts"), "utf8");
    expect(registration.trimEnd().split("\n").at(-1)).toBe('import "./reports.js";');
    await projectScript(project, ["typecheck"]);
    const output = await projectScript(project, ["test"]);
    expect(output).toMatch(/reports\.test\.ts/);
  });
});

describe("a queue-off project generated from the packed tarball", () => {
  it("installs, typechecks and passes its tests", async () => {
    const project = await generateFromTarball(["--no-queue", "--install", "--no-git"]);
    expect(existsSync(path.join(project, "packages/app/src/tasks"))).toBe(false);
    await projectScript(project, ["typecheck"]);
    const output = await projectScript(project, ["test"]);
    expect(output).toMatch(/Tests\s+\d+ passed/);
  });
});
