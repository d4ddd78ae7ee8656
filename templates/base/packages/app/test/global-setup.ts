// Runs once before the test files, in the vitest process. Test workers and any
// process the tests spawn inherit the environment set here.
import { mkdtemp, chmod, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  closeDatabase,
  createThrowawayDatabase,
  startEmbeddedPostgres,
  type EmbeddedPostgresServer,
  type ThrowawayDatabase,
} from "@repo/core";
import { migrateDatabase } from "../src/db/migrations.js";

export default async function setup(): Promise<() => Promise<void>> {
  let server: EmbeddedPostgresServer | undefined;
  let database: ThrowawayDatabase | undefined;
  let tempDir: string | undefined;

  // Tests never write into the database you develop on:
  // - TEST_DATABASE_URL: the database you set aside for tests, used as it is;
  // - else DATABASE_URL: a database of their own on that server, dropped afterwards;
  // - else a throwaway embedded PostgreSQL (never the project's .data/).
  const testDatabaseUrl = process.env.TEST_DATABASE_URL?.trim();
  const developmentUrl = process.env.DATABASE_URL?.trim();
  if (testDatabaseUrl) {
    process.env.DATABASE_URL = testDatabaseUrl;
  } else if (developmentUrl) {
    database = await createThrowawayDatabase(developmentUrl);
    process.env.DATABASE_URL = database.url;
  } else {
    tempDir = await mkdtemp(path.join(os.tmpdir(), "app-test-"));
    await chmod(tempDir, 0o755); // when run as root the server runs as the `postgres` user
    server = await startEmbeddedPostgres({ dataDir: path.join(tempDir, "postgres"), ephemeral: true });
    process.env.DATABASE_URL = server.url;
  }

  // The schema, once, before the test files run in parallel.
  await migrateDatabase();
  await closeDatabase();

  // Mail goes to files in a throwaway directory (never SMTP, never the project's .data/mail/).
  const mailDir = await mkdtemp(path.join(os.tmpdir(), "app-test-mail-"));
  process.env.MAIL_DIR = mailDir;
  delete process.env.SMTP_URL;

  // A queue of our own, so a run never sees another run's (or the dev worker's) tasks.
  process.env.TASKS_QUEUE = `test-${process.pid}-${Date.now().toString(36)}`;

  return async () => {
    await database?.drop();
    await server?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    await rm(mailDir, { recursive: true, force: true });
  };
}
