import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "./embedded-postgres.js";
import { findProjectRoot } from "./project-root.js";

/**
 * Where the database is: `DATABASE_URL` when set (production, CI, your own server),
 * otherwise the project's shared embedded PostgreSQL under `<project root>/.data/postgres`
 * (override the directory with `EMBEDDED_POSTGRES_DIR`).
 */
export async function resolveDatabaseUrl(): Promise<string> {
  const fromEnv = process.env.DATABASE_URL?.trim();
  if (fromEnv) return fromEnv;
  return (await sharedEmbeddedPostgres()).url;
}

export function embeddedPostgresDir(): string {
  const fromEnv = process.env.EMBEDDED_POSTGRES_DIR?.trim();
  return fromEnv ? path.resolve(fromEnv) : path.join(findProjectRoot(), ".data", "postgres");
}

let shared: Promise<EmbeddedPostgresServer> | undefined;

function sharedEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  shared ??= startEmbeddedPostgres({ dataDir: embeddedPostgresDir() }).catch((error: unknown) => {
    shared = undefined; // let a later call retry instead of caching the failure
    throw error;
  });
  return shared;
}

/** Stops the embedded server if this process started it; other processes' servers are left alone. */
export async function stopEmbeddedPostgres(): Promise<void> {
  const current = shared;
  shared = undefined;
  const server = await current?.catch(() => undefined);
  await server?.stop();
}
