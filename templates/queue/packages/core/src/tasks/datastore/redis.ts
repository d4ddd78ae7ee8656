import { FlowProducer, Queue, QueueEvents, Worker } from "bullmq";
import { once } from "node:events";
import { parseRedisUrl, type RedisTarget } from "@repo/core";
import { consumerOptions } from "./consumer-options.js";
import { createRedisClient, queuePrefix, type RedisClient } from "./redis-client.js";
import { Reachability, reconnectDelay } from "./reachability.js";
import { redisLimitStore } from "./redis-limits.js";
import type { Datastore, DatastoreOptions, TaskJobData, TaskQueueEvents } from "./types.js";

const HINT = "Check that Redis is running and reachable from here, and that REDIS_URL is right (host, port, password; rediss:// for TLS).";

/** BullMQ on Redis (one server, through Sentinel, or a Cluster): production's datastore (many workers on many machines). */
export function redisDatastore(url: string, options: DatastoreOptions): Datastore {
  const connectTimeout = options.connectTimeoutMs ?? 5_000;
  const target = parseRedisUrl(url);
  const prefix = (queueName: string) => queuePrefix(target, queueName);
  const reachability = new Reachability({ what: "Redis", hint: HINT, url, probe: () => ping(target, connectTimeout) }, options);
  let evictionChecked = false;
  // The policy decides whether Redis may silently drop queued tasks: say so once per process.
  const checkEvictionPolicy = async (connection: RedisClient) => {
    if (evictionChecked) return;
    evictionChecked = true;
    const policy = await readEvictionPolicy(connection).catch(() => undefined);
    if (policy && policy !== "noeviction") reachability.log.warn(evictionWarning(reachability.describe(url), policy));
  };

  // BullMQ does not close connections it was handed, so the datastore tracks and closes them.
  const connections = new Set<RedisClient>();
  const producers = new Set<RedisClient>();
  const listeners = new Set<TaskQueueEvents>();
  const forget = (connection: RedisClient) => {
    connection.disconnect();
    connections.delete(connection);
    producers.delete(connection);
  };
  const connect = (blocking: boolean) => {
    const connection = createRedisClient(target, {
      // Worker connections block on Redis; ioredis must retry those forever (BullMQ requirement).
      // Producers (enqueue, status, the dashboard) fail at once while Redis is away instead:
      // a request must not wait for it (BullMQ's advice for queues used in web servers).
      ...(blocking ? { maxRetriesPerRequest: null } : { enableOfflineQueue: false }),
      connectTimeout,
      // ioredis reconnects on its own; capped backoff instead of its 2 s ceiling keeps a long outage quiet.
      retryStrategy: (times: number) => reconnectDelay(times, options.retry),
    });
    reachability.watch(connection);
    connection.on("ready", () => {
      reachability.up();
      void checkEvictionPolicy(connection);
    });
    connections.add(connection);
    if (!blocking) producers.add(connection);
    return connection;
  };

  return {
    kind: "redis",
    waitUntilReachable: (waitOptions) => reachability.waitUntilReachable(waitOptions),
    async openQueue<Data = TaskJobData>(name: string) {
      const connection = connect(false);
      const queue = new Queue<Data, unknown, string>(name, { connection, prefix: prefix(name) });
      reachability.watch(queue);
      // While Redis is away a new connection retries for ever: bounded here, and dropped if it fails.
      await reachability.ready(queue, connectTimeout).catch((error: unknown) => {
        forget(connection);
        throw error;
      });
      return queue;
    },
    async openFlowProducer(queueName) {
      const connection = connect(false);
      const flows = new FlowProducer({ connection, prefix: prefix(queueName) });
      await reachability.ready(flows, connectTimeout).catch((error: unknown) => {
        forget(connection);
        throw error;
      });
      return flows;
    },
    async openLimitStore(queueName) {
      const connection = connect(false);
      const waitUntilReady = async () => {
        if (connection.status !== "ready") await once(connection, "ready");
      };
      await reachability.ready({ waitUntilReady, close: async () => forget(connection) }, connectTimeout);
      return redisLimitStore(connection, `${prefix(queueName)}:${queueName}`);
    },
    async openQueueEvents(name) {
      const connection = connect(true);
      const events = new QueueEvents(name, { connection, prefix: prefix(name) });
      const close = events.close.bind(events);
      events.close = () => {
        if (connection.status === "ready") return close();
        // BullMQ's close waits for the connection's 'end', which ioredis never emits for a
        // connection waiting to reconnect: while Redis is away it would never return.
        connection.disconnect();
        close().catch(() => {}); // BullMQ tidies up what it can, in its own time
        return Promise.resolve();
      };
      reachability.watch(events);
      listeners.add(events);
      return events;
    },
    async openConsumer(name, processor, settings) {
      await reachability.waitUntilReachable();
      const connection = connect(true);
      const consumer = new Worker<TaskJobData, unknown, string>(name, processor, {
        ...consumerOptions(settings),
        connection,
        prefix: prefix(name),
      });
      reachability.watch(consumer);
      // While Redis is away, BullMQ's close would wait for its blocking connection's 'end'
      // (never emitted while ioredis waits to reconnect), and running tasks cannot report
      // back anyway: then it closes at once, and they run again elsewhere (at-least-once).
      const close = consumer.close.bind(consumer);
      consumer.close = (force = false) => close(force || connection.status !== "ready");
      return consumer;
    },
    async ping() {
      // A producer still reconnecting (its backoff outlasts the outage) cannot enqueue yet: not ready.
      const waiting = [...producers].find((connection) => connection.status !== "ready");
      if (waiting) throw new Error(`the connection to ${reachability.describe(url)} is ${waiting.status}`);
      await ping(target, connectTimeout);
    },
    countWorkers: (queueName) => countWorkers(target, queueName, connectTimeout),
    drop() {
      reachability.close();
      listeners.clear();
      producers.clear();
      for (const connection of connections) connection.disconnect();
      connections.clear();
    },
    async close() {
      reachability.close();
      await Promise.all([...listeners].map((events) => events.close().catch(() => {})));
      listeners.clear();
      producers.clear();
      // Not forgotten until they have quit: drop() ends those that never do (Redis stopped answering).
      await Promise.all(
        [...connections].map(async (connection) => {
          // A connection waiting for Redis would hold a QUIT in its offline queue: dropped instead.
          if (connection.status !== "ready") connection.disconnect();
          else await connection.quit().catch(() => connection.disconnect());
          connections.delete(connection);
        }),
      );
    },
  };
}

/** One connection attempt, no offline queue and no retries: the caller owns retrying. */
function connectOnce(target: RedisTarget, connectTimeout: number): { client: RedisClient; connect(): Promise<void> } {
  const client = createRedisClient(target, {
    lazyConnect: true,
    connectTimeout,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() itself rejects with a bare "Connection is closed"; the cause arrives as an 'error' event.
  let cause: Error | undefined;
  client.on("error", (error: Error) => {
    cause ??= error;
  });
  return {
    client,
    connect: () =>
      client.connect().catch((error: unknown) => {
        throw cause ?? error;
      }),
  };
}

async function ping(target: RedisTarget, connectTimeout: number): Promise<void> {
  const { client, connect } = connectOnce(target, connectTimeout);
  try {
    await connect();
    await client.ping();
  } finally {
    client.disconnect();
  }
}

/**
 * BullMQ's own discovery (`queue.getWorkers()`): the named connections in CLIENT LIST.
 * A worker that exits, crashes or is killed drops its connection and leaves the list.
 */
async function countWorkers(target: RedisTarget, queueName: string, connectTimeout: number): Promise<number> {
  const { client, connect } = connectOnce(target, connectTimeout);
  // skipVersionCheck: BullMQ's INFO check would print its own warnings into a health check's output.
  let queue: Queue | undefined;
  try {
    await connect();
    queue = new Queue(queueName, { connection: client, prefix: queuePrefix(target, queueName), skipVersionCheck: true });
    queue.on("error", () => {}); // failures reject getWorkers() below
    const workers = await queue.getWorkers();
    // BullMQ's stand-in entry when the server refuses CLIENT LIST (e.g. some managed Redis).
    if (workers.some((worker) => !worker.rawname)) throw new Error("it does not list its clients (CLIENT LIST), so workers cannot be seen");
    return workers.length;
  } finally {
    await queue?.close().catch(() => {});
    client.disconnect();
  }
}

/** Redis's `maxmemory-policy`, from INFO (allowed on managed Redis, where CONFIG often is not). */
async function readEvictionPolicy(client: RedisClient): Promise<string | undefined> {
  const info = await client.info("memory");
  return /^maxmemory_policy:(\S+)/m.exec(info)?.[1];
}

function evictionWarning(target: string, policy: string): string {
  return (
    `${target} has maxmemory-policy "${policy}": when it runs short of memory it may evict ` +
    `queued tasks and their results, losing them without a trace. Set it to "noeviction" ` +
    `(redis.conf: maxmemory-policy noeviction, or CONFIG SET maxmemory-policy noeviction; on a ` +
    `managed Redis, its parameter group). BullMQ's "IMPORTANT! Eviction policy" lines say the same.`
  );
}
