import { postgresDatastore } from "./postgres.js";
import { redisDatastore } from "./redis.js";
import type { Datastore, DatastoreConfig, DatastoreOptions } from "./types.js";

export { postgresBullMQ } from "./postgres.js";
export { describeTarget } from "./reachability.js";
export type * from "./types.js";

/**
 * The task queue's datastore, from the environment:
 * - `REDIS_URL` set → Redis (production: many workers on many machines);
 * - else PostgreSQL: `DATABASE_URL`, or the project's embedded server.
 */
export function datastoreFromEnv(env: NodeJS.ProcessEnv = process.env): DatastoreConfig {
  const redisUrl = env.REDIS_URL?.trim();
  if (redisUrl) return { kind: "redis", url: redisUrl };
  return { kind: "postgres", url: env.DATABASE_URL?.trim() || undefined };
}

/** BullMQ on one datastore; nothing connects until a queue, listener or consumer is opened. */
export function openDatastore(config: DatastoreConfig, options: DatastoreOptions = {}): Datastore {
  return config.kind === "redis" ? redisDatastore(config.url, options) : postgresDatastore(config, options);
}
