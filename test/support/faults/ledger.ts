import { Redis } from "ioredis";
import pg from "pg";

/**
 * A record of which task ran, how often, and in which worker process, kept outside
 * the queue so it survives a worker being killed. Every run of a task appends one
 * entry; the fault tests then count distinct task ids (none lost) and extra runs
 * (duplicates: allowed, the runtime is at-least-once).
 *
 * Stored in the datastore under test: a Redis hash pair, or a PostgreSQL table.
 */
export interface Ledger {
  /** Creates the storage (PostgreSQL: the table). Call once, before any worker starts. */
  create(): Promise<void>;
  record(taskId: number, worker: string): Promise<void>;
  /** How many distinct task ids ran at least once. */
  distinct(): Promise<number>;
  summary(): Promise<LedgerSummary>;
  /** Deletes the storage. */
  drop(): Promise<void>;
  close(): Promise<void>;
}

export interface LedgerSummary {
  distinct: number;
  runs: number;
  /** Runs beyond the first, summed over tasks. */
  duplicates: number;
  /** Runs per worker label. */
  byWorker: Record<string, number>;
}

export interface LedgerConfig {
  url: string;
  /** Unique per test: a Redis key prefix or a PostgreSQL table name suffix. */
  name: string;
}

export function openLedger(config: LedgerConfig): Ledger {
  return config.url.startsWith("redis") ? redisLedger(config) : postgresLedger(config);
}

function redisLedger({ url, name }: LedgerConfig): Ledger {
  const redis = new Redis(url, { maxRetriesPerRequest: 3 });
  const runsKey = `${name}:runs`; // task id → runs
  const workersKey = `${name}:workers`; // worker label → runs
  return {
    async create() {},
    async record(taskId, worker) {
      await redis.multi().hincrby(runsKey, String(taskId), 1).hincrby(workersKey, worker, 1).exec();
    },
    distinct: () => redis.hlen(runsKey),
    async summary() {
      const runs = Object.values(await redis.hgetall(runsKey)).map(Number);
      const byWorker = Object.fromEntries(Object.entries(await redis.hgetall(workersKey)).map(([key, value]) => [key, Number(value)]));
      return summarise(runs, byWorker);
    },
    async drop() {
      await redis.del(runsKey, workersKey);
    },
    async close() {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

function postgresLedger({ url, name }: LedgerConfig): Ledger {
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on("error", () => {}); // a killed peer must not crash this process; queries still report errors
  const table = `fault_ledger_${name.replace(/\W+/g, "_").toLowerCase()}`;
  return {
    async create() {
      await pool.query(`CREATE TABLE ${table} (task_id integer NOT NULL, worker text NOT NULL)`);
    },
    async record(taskId, worker) {
      await pool.query(`INSERT INTO ${table} (task_id, worker) VALUES ($1, $2)`, [taskId, worker]);
    },
    async distinct() {
      const { rows } = await pool.query<{ n: number }>(`SELECT count(DISTINCT task_id)::int AS n FROM ${table}`);
      return rows[0]!.n;
    },
    async summary() {
      const perTask = await pool.query<{ runs: number }>(`SELECT count(*)::int AS runs FROM ${table} GROUP BY task_id`);
      const perWorker = await pool.query<{ worker: string; runs: number }>(
        `SELECT worker, count(*)::int AS runs FROM ${table} GROUP BY worker`,
      );
      return summarise(
        perTask.rows.map((row) => row.runs),
        Object.fromEntries(perWorker.rows.map((row) => [row.worker, row.runs])),
      );
    },
    async drop() {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
    },
    close: () => pool.end(),
  };
}

function summarise(runsPerTask: number[], byWorker: Record<string, number>): LedgerSummary {
  const runs = runsPerTask.reduce((sum, n) => sum + n, 0);
  return { distinct: runsPerTask.length, runs, duplicates: runs - runsPerTask.length, byWorker };
}
