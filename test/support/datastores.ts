import { rm } from "node:fs/promises";
import path from "node:path";
import { startEmbeddedPostgres, type EmbeddedPostgresServer } from "@repo/core";
import { tempDir } from "./cli.js";
import { redisCliBinary, startThrowawayRedisCluster, type ThrowawayRedisCluster } from "./operations/redis-cluster.js";
import { redisServerBinary } from "./operations/redis-server.js";
import { findPostgres, findRedis, missing } from "./services.js";

/** A datastore a suite runs unchanged against. */
export interface Datastore {
  name: string;
  kind: "redis" | "postgres";
  /** Not reachable here (already warned about, or failed under REQUIRE_SERVICES=1). */
  skip: boolean;
  url(): Promise<string>;
}

/** The machine's services, found once (services.ts), for every suite that runs on them. */
export const redisUrl = await findRedis();
export const postgresUrl = await findPostgres();
export const skipRedis = missing("Redis (REDIS_URL or 127.0.0.1:6379)", redisUrl);
export const skipPostgres = missing("PostgreSQL (DATABASE_URL or 127.0.0.1:5432/test)", postgresUrl);

let embedded: Promise<{ server: EmbeddedPostgresServer; dir: string }> | undefined;

/** A throwaway embedded PostgreSQL for this test file, started on first use. */
function embeddedUrl(): Promise<string> {
  embedded ??= (async () => {
    const dir = await tempDir("datastore-test-");
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

let cluster: Promise<ThrowawayRedisCluster> | undefined;
let clusterMissing: boolean | undefined;

/** A throwaway Redis Cluster (three primaries) for this test file, started on first use. */
function clusterUrl(): Promise<string> {
  cluster ??= startThrowawayRedisCluster();
  return cluster.then(({ url }) => url);
}

/** Stops the cluster if this file started one; register with afterAll. */
export async function stopRedisCluster(): Promise<void> {
  const started = cluster;
  cluster = undefined;
  await (await started?.catch(() => undefined))?.stop();
}

/** A Redis Cluster started here, for the suites that prove the runtime on one (redis-server must be installed). */
export const redisCluster: Datastore = {
  name: "Redis Cluster",
  kind: "redis",
  // Asked when a suite lists it (files that do not say nothing about redis-server), once.
  get skip() {
    clusterMissing ??= missing("redis-server and redis-cli (to start a throwaway Redis Cluster)", redisServerBinary() && redisCliBinary());
    return clusterMissing;
  },
  url: clusterUrl,
};

/** Redis, the machine's PostgreSQL and an embedded PostgreSQL, each found as services.ts finds them. */
export const datastores: Datastore[] = [
  { name: "Redis", kind: "redis", skip: skipRedis, url: async () => redisUrl! },
  {
    name: "PostgreSQL",
    kind: "postgres",
    skip: skipPostgres,
    url: async () => postgresUrl!,
  },
  { name: "embedded PostgreSQL", kind: "postgres", skip: false, url: embeddedUrl },
];
