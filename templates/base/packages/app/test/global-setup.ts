// Runs once before the test files, in the vitest process. Test workers and any
// process the tests spawn inherit the environment set here.
import { mkdtemp, chmod, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { closeDatabase, startEmbeddedPostgres, type EmbeddedPostgresServer } from "@repo/core";
import { migrateDatabase } from "../src/db/migrations.js";

export default async function setup(): Promise<() => Promise<void>> {
  let server: EmbeddedPostgresServer | undefined;
  let tempDir: string | undefined;

  // No DATABASE_URL: a throwaway embedded PostgreSQL, so tests never touch .data/.
  if (!process.env.DATABASE_URL) {
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
    await server?.stop();
    if (tempDir) await rm(tempDir, { recursive: true, force: true });
    await rm(mailDir, { recursive: true, force: true });
  };
}
