import pg from "pg";
import { resolveDatabaseUrl } from "./database-url.js";
import { migrations as defaultMigrations, runMigrations, type Migration } from "./migrations.js";

/**
 * A lazily-opened pg pool. Nothing connects at import time: the first query
 * resolves the database (starting the embedded one if needed), opens the pool
 * and brings the schema up to date. `close()` ends the pool; a later query
 * opens a new one.
 */
export interface Database {
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** The underlying pool, for transactions (`pool.connect()`) and other pg features. */
  pool(): Promise<pg.Pool>;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A connection string, or how to find one. Default: DATABASE_URL, else the embedded server. */
  url?: string | (() => Promise<string>);
  /** Migrations applied when the pool opens; `false` to skip. */
  migrations?: readonly Migration[] | false;
  max?: number;
}

export function createDatabase(options: DatabaseOptions = {}): Database {
  const { url = resolveDatabaseUrl, migrations = defaultMigrations, max = 10 } = options;
  let opening: Promise<pg.Pool> | undefined;

  async function open(): Promise<pg.Pool> {
    const connectionString = typeof url === "string" ? url : await url();
    const pool = new pg.Pool({ connectionString, max });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    pool.on("error", (error) => console.error("[db] idle client error:", error.message));
    try {
      if (migrations) await runMigrations(pool, migrations);
    } catch (error) {
      await pool.end().catch(() => {});
      throw error;
    }
    return pool;
  }

  function pool(): Promise<pg.Pool> {
    opening ??= open().catch((error: unknown) => {
      opening = undefined;
      throw error;
    });
    return opening;
  }

  return {
    pool,
    async query(text, params) {
      return (await pool()).query(text, params);
    },
    async close() {
      const current = opening;
      opening = undefined;
      const opened = await current?.catch(() => undefined);
      await opened?.end();
    },
  };
}

/** The project's database. */
export const db: Database = createDatabase();
