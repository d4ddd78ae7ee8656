import { setTimeout as sleep } from "node:timers/promises";
import { type Database, describeError } from "@repo/core";
import { type SQL, sql } from "drizzle-orm";
import type { TaskJobData } from "./datastore/index.js";
import { tasksLog } from "./task-log.js";

/**
 * The transactional outbox: a task enqueued inside a database transaction is written to
 * the `task_outbox` table by that transaction, so it exists exactly when the transaction
 * commits — with the rows it goes with (a user and their welcome email), or not at all.
 * The worker then hands each entry to the queue (`OutboxRelay`), under the entry's own id.
 * Entries name their queue: workers of other queues sharing the database leave them alone.
 */

/** A Drizzle transaction (`db.transaction(async (tx) => …)`), or a Drizzle database: what the entry is written through. */
export interface Transaction {
  execute(query: SQL): PromiseLike<unknown>;
}

export interface OutboxEntry {
  /** The task's id, and its job's id once in the queue. */
  id: string;
  taskName: string;
  data: TaskJobData;
  /** No earlier than this (epoch ms). */
  runAt?: number;
  priority?: number;
}

/** Writes the entries for `queue` in the caller's transaction, in one INSERT; an entry with an id already there is kept (ids de-duplicate). */
export async function writeToOutbox(transaction: Transaction, queue: string, entries: readonly OutboxEntry[]): Promise<void> {
  const rows = entries.map((entry) => {
    const runAt = entry.runAt === undefined ? null : new Date(entry.runAt).toISOString();
    return sql`(${entry.id}, ${queue}, ${entry.taskName}, ${JSON.stringify(entry.data)}::jsonb, ${runAt}, ${entry.priority ?? null})`;
  });
  await transaction.execute(
    sql`INSERT INTO task_outbox (id, queue, task_name, data, run_at, priority) VALUES ${sql.join(rows, sql`, `)} ON CONFLICT (id) DO NOTHING`,
  );
}

interface OutboxRow {
  id: string;
  task_name: string;
  data: TaskJobData;
  run_at: Date | null;
  priority: number | null;
}

/** The outbox as the queue's side sees it: entries still waiting count as queued tasks. */
export class Outbox {
  constructor(private readonly database: Database) {}

  async has(id: string): Promise<boolean> {
    const { rowCount } = await this.database.query("SELECT 1 FROM task_outbox WHERE id = $1", [id]);
    return (rowCount ?? 0) > 0;
  }

  /** Takes an entry out before it reaches the queue (an abort): its task's name, or undefined when it is not (or no longer) there. */
  async remove(id: string): Promise<string | undefined> {
    const { rows } = await this.database.query<{ task_name: string }>("DELETE FROM task_outbox WHERE id = $1 RETURNING task_name", [id]);
    return rows[0]?.task_name;
  }

  /**
   * Hands up to `limit` entries of `queue` (and those written before entries named their
   * queue), oldest first, to `add` and deletes them, in one transaction: entries another
   * relay holds are skipped, and if `add` fails they all stay for the next round. Adding an
   * entry twice is harmless — its id is its job's id. Returns how many were handed over.
   */
  async relay(queue: string, add: (entry: OutboxEntry) => Promise<unknown>, limit: number): Promise<number> {
    const client = await this.database.pool.connect();
    try {
      await client.query("BEGIN");
      const { rows } = await client.query<OutboxRow>(
        `SELECT id, task_name, data, run_at, priority FROM task_outbox WHERE queue = $1 OR queue IS NULL
          ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [queue, limit],
      );
      for (const row of rows) {
        await add({
          id: row.id,
          taskName: row.task_name,
          data: row.data,
          ...(row.run_at ? { runAt: row.run_at.getTime() } : {}),
          ...(row.priority !== null ? { priority: row.priority } : {}),
        });
      }
      if (rows.length > 0) await client.query("DELETE FROM task_outbox WHERE id = ANY($1)", [rows.map((row) => row.id)]);
      await client.query("COMMIT");
      return rows.length;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * Runs in a worker process: moves outbox entries to the queue every `pollMs`, at once
 * again while there are more. While the database or the queue is down it says so once,
 * retries with the same period, and says when entries move again.
 */
export class OutboxRelay {
  private readonly stopping = new AbortController();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly outbox: Outbox,
    private readonly queue: string,
    private readonly add: (entry: OutboxEntry) => Promise<unknown>,
    private readonly pollMs: number,
    private readonly batch = 100,
  ) {}

  start(): void {
    this.loop ??= this.run();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    await this.loop;
  }

  private async run(): Promise<void> {
    let failing = false;
    while (!this.stopping.signal.aborted) {
      let moved = 0;
      try {
        moved = await this.outbox.relay(this.queue, this.add, this.batch);
        if (failing) tasksLog().info("outbox: queueing tasks again");
        failing = false;
      } catch (error) {
        if (!failing) tasksLog().error(`outbox: could not queue waiting tasks (${describeError(error)}); retrying`);
        failing = true;
      }
      if (moved === this.batch) continue;
      await sleep(this.pollMs, undefined, { signal: this.stopping.signal }).catch(() => {});
    }
  }
}
