// The core's migration runner (templates/base/packages/core/src/db/migrate.ts), in place:
// the core's migrations then the app's, once, in one transaction under a lock — on the
// machine's PostgreSQL and on an embedded one. Every database here is made for the test.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { cp, mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { afterAll, describe, expect, it } from "vitest";
import { coreMigrations, createDatabase, createUserModel, type Database, type MigrationFolder, migrate, MigrationError } from "@repo/core";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { datastores, stopEmbeddedDatastore } from "./support/datastores.js";
import { repoRoot } from "./support/paths.js";

const servers = datastores.filter((store) => store.kind === "postgres");
const created: { drop(): Promise<void> }[] = [];

afterAll(async () => {
  for (const database of created) await database.drop();
  await stopEmbeddedDatastore();
});

/** A database of its own on the server at `adminUrl`, dropped after the file. */
async function emptyDatabase(adminUrl: string): Promise<string> {
  const database = await freshDatabase(adminUrl, "migrate");
  created.push(database);
  return database.url;
}

/** A folder of migrations in drizzle-kit's layout: `<tag>.sql` files and meta/_journal.json. */
async function migrationFolder(migrations: { tag: string; sql: string }[]): Promise<MigrationFolder> {
  const folder = path.join(await tempDir("migrations-"), "drizzle");
  await mkdir(path.join(folder, "meta"), { recursive: true });
  const entries = migrations.map(({ tag }, idx) => ({ idx, version: "7", when: 1_700_000_000_000 + idx * 1000, tag, breakpoints: true }));
  await writeFile(path.join(folder, "meta", "_journal.json"), JSON.stringify({ version: "7", dialect: "postgresql", entries }));
  for (const { tag, sql } of migrations) await writeFile(path.join(folder, `${tag}.sql`), sql);
  return { folder, table: "__drizzle_migrations" };
}

const reportsTable = {
  tag: "0000_reports",
  sql: 'CREATE TABLE "reports" ("id" serial PRIMARY KEY, "user_id" text REFERENCES "users"("id"));',
};

async function tables(database: Database): Promise<string[]> {
  const { rows } = await database.query<{ name: string }>(
    "SELECT table_schema || '.' || table_name AS name FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle') ORDER BY 1",
  );
  return rows.map((row) => row.name);
}

const relative = (folder: string, tag: string) => path.relative(repoRoot, path.join(folder, `${tag}.sql`));

/** The core's migrations, as files relative to the repository (what `migrate` reports). */
const coreFiles = (
  JSON.parse(readFileSync(path.join(coreMigrations.folder, "meta/_journal.json"), "utf8")) as { entries: { tag: string }[] }
).entries.map(({ tag }) => relative(coreMigrations.folder, tag));

describe.each(servers)("migrations on $name", (server) => {
  it.skipIf(server.skip)("apply the core's, then the app's, each once; a later run applies nothing", async () => {
    const database = createDatabase({ url: await emptyDatabase(await server.url()) });
    try {
      const app = await migrationFolder([reportsTable]);
      const applied = await migrate([coreMigrations, app], database);
      expect(applied).toEqual([...coreFiles, relative(app.folder, "0000_reports")]);
      expect(await tables(database)).toEqual([
        "drizzle.__core_migrations",
        "drizzle.__drizzle_migrations",
        "public.reports",
        "public.task_outbox",
        "public.users",
      ]);
      expect(await migrate([coreMigrations, app], database)).toEqual([]);

      // A migration added later (or merged from another branch with an older time) runs; the others do not.
      const grown = await migrationFolder([reportsTable, { tag: "0001_rows", sql: 'ALTER TABLE "reports" ADD COLUMN "rows" integer;' }]);
      await cp(grown.folder, app.folder, { recursive: true });
      expect(await migrate([coreMigrations, app], database)).toEqual([relative(app.folder, "0001_rows")]);
      const { rows } = await database.query<{ hash: string; created_at: string }>(
        'SELECT hash, created_at FROM "drizzle"."__drizzle_migrations" ORDER BY id',
      );
      expect(rows.map((row) => Number(row.created_at))).toEqual([1_700_000_000_000, 1_700_000_001_000]);
    } finally {
      await database.close();
    }
  });

  it.skipIf(server.skip)(
    "stop at a failing migration, naming its file and the database's message, and leave the database as it was",
    async () => {
      const database = createDatabase({ url: await emptyDatabase(await server.url()) });
      try {
        const app = await migrationFolder([
          reportsTable,
          {
            tag: "0001_broken",
            sql: 'CREATE TABLE "audit" ("id" integer);\n--> statement-breakpoint\nALTER TABLE "nowhere" ADD COLUMN "x" text;',
          },
        ]);
        const failure = await migrate([coreMigrations, app], database).catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(MigrationError);
        expect((failure as MigrationError).file).toBe(relative(app.folder, "0001_broken"));
        expect((failure as MigrationError).message).toBe(
          `Migration ${relative(app.folder, "0001_broken")} failed: relation "nowhere" does not exist. Nothing was applied: the database is as it was before.`,
        );
        // Not even the core's migration, nor the first of the app's, nor the statement before the failing one.
        expect(await tables(database)).toEqual([]);

        await writeFile(path.join(app.folder, "0001_broken.sql"), 'CREATE TABLE "audit" ("id" integer);');
        expect(await migrate([coreMigrations, app], database)).toHaveLength(coreFiles.length + 2);
      } finally {
        await database.close();
      }
    },
  );

  it.skipIf(server.skip)("started by several processes at once, apply each migration once", async () => {
    const url = await emptyDatabase(await server.url());
    const app = await migrationFolder([reportsTable, { tag: "0001_slow", sql: "SELECT pg_sleep(0.5);" }]);
    const script = `
      const { createDatabase, coreMigrations, migrate } = await import(${JSON.stringify(pathToCore("index.ts"))});
      const database = createDatabase({ url: ${JSON.stringify(url)} });
      const applied = await migrate([coreMigrations, ${JSON.stringify(app)}], database);
      console.log(JSON.stringify(applied));
      await database.close();`;
    const runs = await Promise.all([0, 1, 2].map(() => runScript(script)));
    for (const run of runs) expect(run.code, run.output).toBe(0);
    const applied = runs.flatMap((run) => JSON.parse(run.output) as string[]).sort();
    expect(applied).toEqual([...coreFiles, relative(app.folder, "0000_reports"), relative(app.folder, "0001_slow")].sort());
  });

  it.skipIf(server.skip)("adopt the users table of a project generated before migrations were Drizzle's, keeping its rows", async () => {
    const database = createDatabase({ url: await emptyDatabase(await server.url()) });
    try {
      // What create-scaffold 0.1.0 created.
      await database.query("CREATE TABLE schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
      await database.query(`CREATE TABLE users (
        id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
        email text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        welcome_email_sent_at timestamptz)`);
      await database.query("INSERT INTO schema_migrations (id) VALUES ('0001_create_users')");
      await database.query("INSERT INTO users (id, email) VALUES ('u1', 'ada@example.com')");

      expect(await migrate([coreMigrations], database)).toEqual(coreFiles);
      const users = createUserModel(database);
      expect(await users.get("u1")).toMatchObject({ email: "ada@example.com", welcomeEmailSentAt: null });
      await expect(users.create({ email: "ada@example.com" })).rejects.toMatchObject({ cause: { constraint: "users_email_unique" } });
    } finally {
      await database.close();
    }
  });
});

it("the core's migrations are up to date with its schema (drizzle-kit finds nothing to generate)", async () => {
  const dir = await tempDir("core-migrations-");
  const out = path.join(dir, "drizzle");
  await cp(coreMigrations.folder, out, { recursive: true });
  const schema = path.join(repoRoot, "templates/base/packages/core/src/db/schema.ts");
  // A copy of the migrations as the output folder, so nothing is written into the templates.
  const generate = await execa(
    path.join(repoRoot, "node_modules/.bin/drizzle-kit"),
    ["generate", "--dialect", "postgresql", "--schema", schema, "--out", "drizzle"],
    {
      cwd: dir,
      all: true,
      reject: false,
    },
  );
  expect(generate.exitCode, generate.all).toBe(0);
  expect(generate.all).toContain("No schema changes");
  expect((await readdir(out, { recursive: true })).sort()).toEqual((await readdir(coreMigrations.folder, { recursive: true })).sort());
  await rm(dir, { recursive: true, force: true });
});

function pathToCore(file: string): string {
  return new URL(`../templates/base/packages/core/src/${file}`, import.meta.url).href;
}

/** Runs an ES module script with tsx from the repo root; resolves its exit code and stdout. */
function runScript(script: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      cwd: fileURLToPath(new URL("..", import.meta.url)),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) => resolve({ code, output }));
  });
}
