import pg from "pg";
import { Redis } from "ioredis";

/**
 * Finds the services tests need: the env var, else the local default. A missing
 * service makes its tests skip loudly, or fail when REQUIRE_SERVICES=1 (CI).
 */
export const requireServices = process.env.REQUIRE_SERVICES === "1";

export async function findRedis(): Promise<string | undefined> {
  const url = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  const client = new Redis(url, { lazyConnect: true, connectTimeout: 2_000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return (await client.ping()) === "PONG" ? url : undefined;
  } catch {
    return undefined;
  } finally {
    client.disconnect();
  }
}

export async function findPostgres(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL || "postgres://postgres@127.0.0.1:5432/test";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return url;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

/** Returns whether the tests for `name` should be skipped, warning (or throwing) when so. */
export function missing(name: string, url: string | undefined): boolean {
  if (url) return false;
  const message = `${name} is not reachable: its tests are skipped`;
  if (requireServices) throw new Error(`${message} — but REQUIRE_SERVICES=1 requires it`);
  console.warn(`\n⚠️  ${message} (set REQUIRE_SERVICES=1 to make this an error)\n`);
  return true;
}
