// The datastores to benchmark on, found as the tests find them (REDIS_URL /
// DATABASE_URL, else 127.0.0.1 defaults), with their server versions for the report.
import { Redis } from "ioredis";
import pg from "pg";
import { findPostgres, findRedis } from "../../test/support/services.ts";

export async function describeDatastores(which) {
  const stores = [];
  if (which !== "postgres") {
    const url = await findRedis();
    stores.push({ name: "Redis", datastore: url && { kind: "redis", url }, version: url && (await redisVersion(url)) });
  }
  if (which !== "redis") {
    const url = await findPostgres();
    stores.push({ name: "PostgreSQL", datastore: url && { kind: "postgres", url }, version: url && (await postgresVersion(url)) });
  }
  return stores;
}

async function redisVersion(url) {
  const redis = new Redis(url);
  try {
    const info = await redis.info("server");
    const policy = await redis.config("GET", "maxmemory-policy").catch(() => []);
    return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? "?"} at ${url} (maxmemory-policy ${policy[1] ?? "?"})`;
  } finally {
    redis.disconnect();
  }
}

async function postgresVersion(url) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query(
      "SELECT current_setting('server_version') AS version, current_setting('synchronous_commit') AS sync",
    );
    return `PostgreSQL ${rows[0].version} at ${url} (synchronous_commit ${rows[0].sync})`;
  } finally {
    await client.end();
  }
}
