import pg from "pg";
import { createBurstLog } from "../log/burst-log.js";
import { logger } from "../log/logger.js";
import { resolveDatabaseUrl } from "./database-url.js";

/**
 * The project's PostgreSQL: one pg pool per process. The pool exists from the start
 * (a Drizzle client is built on it at import time) but connects only when the first
 * query runs: that is when the database is found — DATABASE_URL, else the embedded
 * PostgreSQL, started then. Nothing connects at import time.
 */
export interface Database {
  /** The pool, for Drizzle (`drizzle({ client: db.pool })`), transactions (`pool.connect()`) and pg itself. */
  readonly pool: pg.Pool;
  /** One SQL statement, e.g. `db.query("SELECT id FROM users WHERE email = $1", [email])`. */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, params?: unknown[]): Promise<pg.QueryResult<R>>;
  /** Ends the pool, for the end of the process: it cannot be used again. Closing twice is harmless. */
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** A connection string, or how to find one. Default: DATABASE_URL, else the embedded server. */
  url?: string | (() => Promise<string>);
  max?: number;
}

type ConnectCallback = (error: Error | undefined, client: pg.PoolClient | undefined, done: (release?: unknown) => void) => void;

/**
 * A pg.Pool that finds its connection string when its first client connects rather
 * than when it is built. Every query and transaction goes through `connect`, so
 * holding the pool early costs nothing; a failed lookup is retried by the next query.
 */
class DeferredPool extends pg.Pool {
  #located: Promise<void> | undefined;
  readonly #locate: () => Promise<string>;

  constructor(locate: () => Promise<string>, config: pg.PoolConfig) {
    super(config);
    this.#locate = locate;
  }

  override connect(): Promise<pg.PoolClient>;
  override connect(callback: ConnectCallback): void;
  override connect(callback?: ConnectCallback): Promise<pg.PoolClient> | undefined {
    this.#located ??= this.#locate().then(
      (url) => {
        this.options.connectionString = url;
      },
      (error: unknown) => {
        this.#located = undefined;
        throw error;
      },
    );
    if (!callback) return this.#located.then(() => super.connect());
    this.#located.then(
      () => super.connect(callback),
      (error: Error) => callback(error, undefined, () => {}),
    );
    return undefined;
  }
}

export function createDatabase(options: DatabaseOptions = {}): Database {
  const { url = resolveDatabaseUrl, max = 10 } = options;
  // A bounded connect: a request must not wait minutes on a database host that does not answer.
  const pool = new DeferredPool(typeof url === "string" ? async () => url : url, { max, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  // (A server shutting down ends every client at once: one line a burst.)
  const logIdleError = createBurstLog((line) => logger("db").warn(line));
  pool.on("error", (error) => logIdleError(`idle client error: ${error.message}`));
  // Neither may a checked-out one between two queries (inside a transaction, when the
  // server shuts down): pg emits that on the client, where the pool listens only while
  // it is idle. The client's next query then fails, with the request that runs it.
  pool.on("connect", (client) => client.on("error", () => {}));
  let ended: Promise<void> | undefined;
  return {
    pool,
    query: (text, params) => pool.query(text, params),
    close: () => (ended ??= pool.end()),
  };
}

/** The project's database. */
export const db: Database = createDatabase();
