import { describeError, isConnectionError, resolveDatabaseUrl } from "@repo/core";
import { createPostgresBackend, withBackend } from "bullmq";
import { Socket } from "node:net";
import pg from "pg";
import { consumerOptions } from "./consumer-options.js";
import { postgresLimitStore, setUpLimitStore } from "./postgres-limits.js";
import { Reachability } from "./reachability.js";
import type { Datastore, DatastoreOptions, TaskJobData, TaskQueueEvents } from "./types.js";

/**
 * The client class of every pool here (pg-pool's `Client` option). A client checked out of
 * a pool has no 'error' listener (pg-pool removes its own), so a connection that drops
 * while BullMQ holds one (a transaction, a LISTEN) would end the process; this one's
 * queries fail instead, and BullMQ reports them.
 */
class ListenedClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    this.on("error", () => {});
  }
}

/** BullMQ's classes bound to PostgreSQL (BullMQ names the binding a backend). */
export const postgresBullMQ = withBackend(createPostgresBackend);

const HINT =
  "Check that PostgreSQL is running and accepts connections from here, and that DATABASE_URL is right " +
  "(host, port, user, password, database).";
const EMBEDDED_HINT = "The project's embedded PostgreSQL (.data/postgres) stopped answering.";

/**
 * BullMQ on PostgreSQL: `url`, or the project's database (DATABASE_URL, else the
 * embedded PostgreSQL, started on first use). BullMQ keeps its tables in `schema`.
 */
export function postgresDatastore({ url, schema = "bullmq" }: { url?: string; schema?: string }, options: DatastoreOptions): Datastore {
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const reachability = new Reachability(
    {
      what: "PostgreSQL",
      hint: url ? HINT : EMBEDDED_HINT,
      url: url ?? resolveDatabaseUrl,
      probe: (target) => ping(target, connectTimeout),
    },
    options,
  );
  // Every socket of every connection, so that drop() can end them: BullMQ builds (and
  // ends) its pools itself, and a pool's end waits for a server that may never answer.
  const sockets = new Set<Socket>();
  const stream = () => {
    const socket = new Socket();
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
    return socket;
  };
  // `migrate: true` lets BullMQ create/upgrade its schema (under its own advisory lock).
  const connection = async () => ({
    connectionString: await reachability.url(),
    schema,
    migrate: true,
    max: 4,
    connectionTimeoutMillis: connectTimeout,
    stream,
    Client: ListenedClient,
  });
  const listeners = new Set<TaskQueueEvents>();
  const pools = new Set<pg.Pool>();
  // A PostgreSQL queue or listener that missed its first connection never recovers:
  // it is closed, with the reason, rather than handed out broken.
  const readyOrClosed = (opened: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }) =>
    reachability.ready(opened, connectTimeout * 2);

  return {
    kind: "postgres",
    waitUntilReachable: (waitOptions) => reachability.waitUntilReachable(waitOptions),
    async openQueue<Data = TaskJobData>(name: string) {
      const queue = new postgresBullMQ.Queue<Data, unknown, string>(name, { connection: await connection() });
      reachability.watch(queue);
      await readyOrClosed(queue);
      return queue;
    },
    async openFlowProducer(_queueName) {
      const flows = new postgresBullMQ.FlowProducer({ connection: await connection() });
      await readyOrClosed(flows);
      return flows;
    },
    async openLimitStore(queueName, concurrency) {
      // A connection for each task that may be admitted or give its slot back at once: a call
      // waiting for another's lock on a busy limit holds its connection meanwhile.
      const max = Math.min(Math.max(concurrency, 2), 20);
      const pool = new pg.Pool({
        connectionString: await reachability.url(),
        max,
        connectionTimeoutMillis: connectTimeout,
        stream,
        Client: ListenedClient,
      });
      reachability.watch(pool);
      pools.add(pool);
      const close = async () => {
        pools.delete(pool);
        await pool.end();
      };
      await readyOrClosed({ waitUntilReady: () => setUpLimitStore(pool, schema), close });
      return postgresLimitStore(pool, schema, queueName);
    },
    async openQueueEvents(name) {
      const events = new postgresBullMQ.QueueEvents<unknown>(name, { connection: await connection() });
      reachability.watch(events);
      listeners.add(events); // close() closes it even while it is still connecting
      await readyOrClosed(events).catch((error: unknown) => {
        listeners.delete(events);
        throw error;
      });
      return events;
    },
    async openConsumer(name, processor, settings) {
      // A PostgreSQL worker whose first connection fails stays broken for good (its
      // readiness is memoised), so only start one once the server answers, and
      // start over if it went away in between.
      for (;;) {
        await reachability.waitUntilReachable();
        const consumer = new postgresBullMQ.Worker<TaskJobData, unknown, string>(name, processor, {
          ...consumerOptions(settings),
          connection: await connection(),
        });
        reachability.watch(consumer);
        try {
          await consumer.waitUntilReady();
          return consumer;
        } catch (error) {
          await consumer.close(true).catch(() => {});
          if (!isConnectionError(error)) throw error;
        }
      }
    },
    ping: async () => ping(await reachability.url(), connectTimeout),
    countWorkers: async (queueName) => countWorkers(await reachability.url(), schema, queueName, connectTimeout),
    drop() {
      reachability.close();
      listeners.clear();
      pools.clear();
      for (const socket of sockets) socket.destroy();
    },
    async close() {
      reachability.close(); // each Queue and Worker owns (and closes) the pool it built
      await Promise.all([...listeners].map((events) => events.close().catch(() => {})));
      listeners.clear();
      await Promise.all([...pools].map((pool) => pool.end().catch(() => {})));
      pools.clear();
    },
  };
}

async function ping(url: string, connectTimeout: number): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeout });
  client.on("error", () => {}); // a drop after connecting: the query below rejects
  try {
    await client.connect();
    await client.query("SELECT 1");
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * BullMQ's own discovery (`queue.getWorkers()`): the `application_name` of each
 * worker's LISTEN session in pg_stat_activity. A worker that exits, crashes or is
 * killed drops its session and leaves the list. One connection, no migrations.
 */
async function countWorkers(url: string, schema: string, queueName: string, connectTimeout: number): Promise<number> {
  const queue = new postgresBullMQ.Queue(queueName, {
    connection: { connectionString: url, schema, max: 1, connectionTimeoutMillis: connectTimeout },
  });
  queue.on("error", () => {}); // failures reject getWorkers() below
  try {
    return (await queue.getWorkers()).length;
  } catch (error) {
    // The first worker creates BullMQ's schema: without it, no worker has ever run here.
    if (/schema .* is not initialized/i.test(describeError(error))) return 0;
    throw error;
  } finally {
    await queue.close().catch(() => {});
  }
}
