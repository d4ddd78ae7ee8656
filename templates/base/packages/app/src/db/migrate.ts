// `pnpm db:migrate`: applies the pending migrations (the core's, then the app's) to the
// database the app would use (DATABASE_URL, else the embedded PostgreSQL), then exits.
// The server and the worker do the same when they start.
import { closeDatabase, loadEnvFile } from "@repo/core";
import { migrateOrExit } from "./migrations.js";

loadEnvFile();
await migrateOrExit("db:migrate");
// The command's answer to whoever ran it, whatever LOG_LEVEL says: not a log line.
console.log("[db:migrate] the database is up to date");
await closeDatabase();
