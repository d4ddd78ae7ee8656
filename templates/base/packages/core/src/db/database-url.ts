import path from "node:path";
import { redactUrl } from "../config/redact-url.js";
import { attachSharedEmbeddedPostgres, detachSharedEmbeddedPostgres } from "./shared-embedded-postgres.js";
import { findProjectRoot } from "./project-root.js";

/**
 * Where the database is: `DATABASE_URL` when set (production, CI, your own server),
 * otherwise the project's shared embedded PostgreSQL under `<project root>/.data/postgres`
 * (override the directory with `EMBEDDED_POSTGRES_DIR`). Never the embedded one in
 * production (`NODE_ENV=production`): data must not land on a server's local disk by accident.
 */
export async function resolveDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL?.trim();
  if (fromEnv) return fromEnv;
  if (process.env.NODE_ENV === "production") {
    throw new Error(
      "DATABASE_URL is not set: in production (NODE_ENV=production) the embedded PostgreSQL is never started. " +
        "Set DATABASE_URL=postgres://user:password@host:5432/dbname.",
    );
  }
  return sharedEmbeddedPostgres();
}

/** Where the database is, for startup logs (password hidden; the embedded server's is no secret). */
export async function describeDatabase(): Promise<string> {
  const url = await resolveDatabaseUrl();
  if (process.env.DATABASE_URL?.trim()) return redactUrl(url);
  return `${url} (embedded PostgreSQL, data in ${embeddedPostgresDir()})`;
}

export function embeddedPostgresDir(): string {
  const fromEnv = process.env.EMBEDDED_POSTGRES_DIR?.trim();
  // Relative to the project root, like the default: the app and the worker run from packages/app.
  return path.resolve(findProjectRoot(), fromEnv || path.join(".data", "postgres"));
}

let shared: Promise<string> | undefined;

function sharedEmbeddedPostgres(): Promise<string> {
  shared ??= attachSharedEmbeddedPostgres(embeddedPostgresDir()).catch((error: unknown) => {
    shared = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return shared;
}

/**
 * Lets go of the shared embedded server if this process uses it: it keeps running
 * for the project's other processes and stops a few seconds after none is left.
 */
export async function stopEmbeddedPostgres(): Promise<void> {
  const current = shared;
  shared = undefined;
  if (current && (await current.catch(() => undefined))) await detachSharedEmbeddedPostgres(embeddedPostgresDir());
}
