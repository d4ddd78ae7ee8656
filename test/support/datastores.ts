import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "@repo/core";
import { findPostgres, findRedis, missing } from "./services.js";

/** A datastore a suite runs unchanged against. */
export interface Datastore {
  name: string;
  kind: "redis" | "postgres";
  /** Not reachable here (already warned about, or failed under REQUIRE_SERVICES=1). */
  skip: boolean;
  url(): Promise<string>;
}

const redisUrl = await findRedis();
const postgresUrl = await findPostgres();

let embedded: Promise<{ server: EmbeddedPostgresServer; dir: string }> | undefined;

/** A throwaway embedded PostgreSQL for this test file, started on first use. */
function embeddedUrl(): Promise<string> {
  embedded ??= (async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "datastore-test-"));
    await chmod(dir, 0o755); // as root, the server runs as the `postgres` user
    const server = await startEmbeddedPostgres({ dataDir: path.join(dir, "pg"), ephemeral: true });
    return { server, dir };
  })();
  return embedded.then(({ server }) => server.url);
}

/** Stops the embedded server if this file started one; register with afterAll. */
export async function stopEmbeddedDatastore(): Promise<void> {
  const started = await embedded;
  embedded = undefined;
  if (!started) return;
  await started.server.stop();
  await rm(started.dir, { recursive: true, force: true });
}

/** Redis, the machine's PostgreSQL and an embedded PostgreSQL, each found as services.ts finds them. */
export const datastores: Datastore[] = [
  { name: "Redis", kind: "redis", skip: missing("Redis (REDIS_URL or 127.0.0.1:6379)", redisUrl), url: async () => redisUrl! },
  {
    name: "PostgreSQL",
    kind: "postgres",
    skip: missing("PostgreSQL (DATABASE_URL or 127.0.0.1:5432/test)", postgresUrl),
    url: async () => postgresUrl!,
  },
  { name: "embedded PostgreSQL", kind: "postgres", skip: false, url: embeddedUrl },
];
