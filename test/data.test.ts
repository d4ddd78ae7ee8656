import { existsSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { stripVTControlCharacters } from "node:util";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateProject } from "./support/generate.js";
import { freshDatabase } from "./support/databases.js";
import { editFile } from "./support/files.js";
import { pnpm, projectScript } from "./support/pnpm.js";
import { findPostgres, missing } from "./support/services.js";
import { freePort } from "./support/waiting.js";

/**
 * The app owns its data. In a generated project a team adds a table to the app's
 * Drizzle schema, generates its migration with drizzle-kit, writes rows from a task
 * (run by a real worker) and reads them from a route through the typed client —
 * and packages/core stays exactly as generated. On the embedded PostgreSQL and on
 * the machine's PostgreSQL.
 */

const postgresUrl = await findPostgres();
const skipPostgres = missing("PostgreSQL", postgresUrl);

/** Nothing the generated project reads is set, as on a fresh machine. */
const { DATABASE_URL: _d, REDIS_URL: _r, TASKS_QUEUE: _q, ...freshMachine } = process.env;

const schema = `import { users } from "@repo/core/schema";
import { integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

export const reports = pgTable("reports", {
  id: serial("id").primaryKey(),
  userId: text("user_id").notNull().references(() => users.id),
  rows: integer("rows").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});
`;

const task = `import { db } from "../db/client.js";
import { reports } from "../db/schema.js";
import { worker } from "./worker.js";

/** Builds a user's report: one row in the app's own table. */
export const buildReport = worker.task("buildReport", async (userId: string) => {
  const [report] = await db.insert(reports).values({ userId, rows: 3 }).returning({ id: reports.id });
  return { reportId: report!.id };
});
`;

const route = `import { eq } from "drizzle-orm";
import { Hono } from "hono";
import { db } from "../db/client.js";
import { reports } from "../db/schema.js";

/** \`GET /reports/:userId\`: the user's reports, newest first. */
export const reportRoutes = new Hono().get("/reports/:userId", async (c) => {
  const found = await db.query.reports.findMany({ where: eq(reports.userId, c.req.param("userId")), orderBy: (r, { desc }) => desc(r.id) });
  return c.json(found.map(({ id, rows }) => ({ id, rows })));
});
`;

const taskTest = `import { randomUUID } from "node:crypto";
import { afterAll, expect, it, vi } from "vitest";

// A queue of this file's own, consumed by the worker this test runs.
vi.hoisted(() => {
  process.env.TASKS_QUEUE = \`\${process.env.TASKS_QUEUE ?? "test"}-reports\`;
});

import { closeDatabase, UserModel } from "@repo/core";
import { createApp } from "../app.js";
import { buildReport } from "./build-report.js";
import { worker } from "./worker.js";

afterAll(async () => {
  await worker.close();
  await closeDatabase();
});

it("writes a report from a task run by a worker, which the route reads back", async () => {
  const user = await UserModel.create({ email: \`\${randomUUID()}@example.com\` });
  await worker.run({ handleSignals: false });
  const queued = await buildReport.enqueue(user.id);
  const result = await queued.result({ timeout: 30_000 });
  expect(result).toEqual({ success: true, value: { reportId: expect.any(Number) } });

  const app = createApp({ port: 0, production: false, adminToken: undefined });
  const response = await app.request(\`/reports/\${user.id}\`);
  expect(response.status).toBe(200);
  expect(await response.json()).toEqual([{ id: result.success ? result.value.reportId : -1, rows: 3 }]);
});
`;

/** Runs a root script of the project without asserting; its exit code and output (colours stripped). */
async function run(project: string, args: string[], env: NodeJS.ProcessEnv) {
  const result = await pnpm(args, { cwd: project, env: { ...env, NO_COLOR: "1" }, extendEnv: false, reject: false, timeout: 600_000 });
  return { exitCode: result.exitCode, output: stripVTControlCharacters(result.all ?? "") };
}

const succeeds = (project: string, args: string[], env: NodeJS.ProcessEnv = freshMachine) => projectScript(project, args, env);

describe("a table of the app's own, in a generated project", () => {
  let project: string;
  const databases: { drop(): Promise<void> }[] = [];

  /** A database of its own on the machine's PostgreSQL. */
  async function machineDatabase(): Promise<string> {
    const database = await freshDatabase(postgresUrl as string, "data");
    databases.push(database);
    return database.url;
  }

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const app = path.join(project, "packages/app");
    await writeFile(path.join(app, "src/db/schema.ts"), schema);
    await succeeds(project, ["db:generate", "--name", "reports"]);
    await succeeds(project, ["plop", "task", "build-report"]);
    await writeFile(path.join(app, "src/tasks/build-report.ts"), task);
    await writeFile(path.join(app, "src/tasks/build-report.test.ts"), taskTest);
    await writeFile(path.join(app, "src/routes/reports.ts"), route);
    await editFile(path.join(app, "src/app.ts"), (text) =>
      text
        .replace(
          'import { signupRoutes } from "./routes/signup.js";',
          'import { reportRoutes } from "./routes/reports.js";\nimport { signupRoutes } from "./routes/signup.js";',
        )
        .replace('  app.route("/", signupRoutes);', '  app.route("/", signupRoutes);\n  app.route("/", reportRoutes);'),
    );
  }, 600_000);

  afterAll(async () => {
    for (const database of databases) await database.drop();
  });

  it("gets its migration from drizzle-kit, in packages/app/drizzle", async () => {
    const migration = await readFile(path.join(project, "packages/app/drizzle/0000_reports.sql"), "utf8");
    expect(migration).toContain('CREATE TABLE "reports"');
    expect(migration).toContain('REFERENCES "public"."users"("id")');
    // The core's own table stays the core's: no migration of the app creates it.
    expect(migration).not.toContain('CREATE TABLE "users"');
  });

  it("leaves packages/core as generated, and typechecks", async () => {
    expect(await succeeds(project, ["check"])).toContain("packages/core is as create-scaffold generated it.");
    await succeeds(project, ["typecheck"]);
  });

  it("passes its tests on the embedded PostgreSQL, the report's among them", async () => {
    const output = await succeeds(project, ["test"]);
    expect(output).toMatch(/✓ src\/tasks\/build-report\.test\.ts/);
  });

  it.skipIf(skipPostgres)("passes its tests on the machine's PostgreSQL", async () => {
    const output = await succeeds(project, ["test"], { ...freshMachine, DATABASE_URL: await machineDatabase() });
    expect(output).toMatch(/✓ src\/tasks\/build-report\.test\.ts/);
  });

  it.skipIf(skipPostgres)(
    "a failing migration stops db:migrate and the server, naming its file and the database's message, and changes nothing",
    async () => {
      const app = path.join(project, "packages/app");
      const journal = path.join(app, "drizzle/meta/_journal.json");
      const journalBefore = await readFile(journal, "utf8");
      await succeeds(project, ["db:generate", "--custom", "--name", "broken"]);
      const broken = path.join(app, "drizzle/0001_broken.sql");
      expect(existsSync(broken)).toBe(true);
      await writeFile(
        broken,
        'CREATE TABLE "audit" ("id" integer);\n--> statement-breakpoint\nALTER TABLE "nowhere" ADD COLUMN "x" text;\n',
      );
      try {
        const env: NodeJS.ProcessEnv = { ...freshMachine, DATABASE_URL: await machineDatabase(), PORT: String(await freePort()) };
        const expected = 'Migration packages/app/drizzle/0001_broken.sql failed: relation "nowhere" does not exist. Nothing was applied';
        const migrate = await run(project, ["db:migrate"], env);
        expect(migrate.exitCode).not.toBe(0);
        expect(migrate.output).toContain(`[db:migrate] ${expected}`);
        const server = await run(project, ["--filter", "@repo/app", "exec", "tsx", "--conditions=development", "src/main.ts"], env);
        expect(server.exitCode).not.toBe(0);
        expect(server.output).toContain(`[app] ${expected}`);
        for (const output of [migrate.output, server.output]) expect(output).not.toMatch(/^\s+at /m); // no stack

        const database = new pg.Client({ connectionString: env.DATABASE_URL });
        await database.connect();
        const { rows } = await database.query(
          "SELECT table_name FROM information_schema.tables WHERE table_schema IN ('public', 'drizzle')",
        );
        await database.end();
        expect(rows).toEqual([]);
      } finally {
        await writeFile(journal, journalBefore);
        await rm(broken, { force: true });
        await rm(path.join(app, "drizzle/meta/0001_snapshot.json"), { force: true });
      }
    },
  );
});
