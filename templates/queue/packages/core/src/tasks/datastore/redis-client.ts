import type { RedisTarget } from "@repo/core";
import { Cluster, Redis, type RedisOptions } from "ioredis";

export type RedisClient = Redis | Cluster;

/** How each connection behaves (ioredis's options), whatever the form of REDIS_URL. */
export type ConnectionOptions = Pick<
  RedisOptions,
  "connectTimeout" | "maxRetriesPerRequest" | "enableOfflineQueue" | "retryStrategy" | "lazyConnect"
>;

/**
 * A client of the Redis that REDIS_URL names (see RedisTarget): a connection to one
 * server; through Sentinel, a connection to the current primary that moves to the new
 * one on failover; on a Cluster, ioredis's cluster client, which follows slots and
 * failovers across the nodes. BullMQ takes each as it is.
 */
export function createRedisClient(target: RedisTarget, options: ConnectionOptions): RedisClient {
  if (target.kind === "server") return new Redis(target.url, options);
  const { username, password, tls } = target;
  if (target.kind === "sentinel") {
    return new Redis({
      ...options,
      sentinels: target.sentinels,
      name: target.primaryName,
      db: target.db,
      username,
      password,
      ...(tls ? { tls: {}, enableTLSForSentinelMode: true } : {}),
      sentinelRetryStrategy: options.retryStrategy ?? undefined,
      // Listens for the Sentinels' +switch-master: moves at once, not when the old primary times out.
      failoverDetector: true,
    });
  }
  const { enableOfflineQueue, retryStrategy, lazyConnect, ...perNode } = options;
  return new Cluster(target.nodes, {
    redisOptions: { ...perNode, username, password, ...(tls ? { tls: {} } : {}) },
    enableOfflineQueue,
    lazyConnect,
    clusterRetryStrategy: retryStrategy ?? undefined,
  });
}

/**
 * BullMQ's key prefix for a queue. On a Cluster, a hash tag of the queue's name
 * (`{tasks}`): BullMQ's scripts touch many keys of a queue at once, which a cluster
 * allows only within one slot; the runtime's limit keys share it. Elsewhere BullMQ's
 * default, so that the keys of existing queues stay where they are.
 */
export function queuePrefix(target: RedisTarget, queueName: string): string {
  return target.kind === "cluster" ? `{${queueName}}` : "bull";
}
