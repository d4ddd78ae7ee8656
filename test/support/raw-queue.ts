import { type JobsOptions, Queue, createPostgresBackend, withBackend } from "bullmq";
import { parseRedisUrl } from "@repo/core";
import type { TaskQueue } from "../../templates/queue/packages/core/src/tasks/datastore/index.js";
import { createRedisClient, queuePrefix } from "../../templates/queue/packages/core/src/tasks/datastore/redis-client.js";

/**
 * Plain BullMQ access to a test queue, beside the runtime: to look at what the
 * runtime stored (job schedulers, delayed jobs, jobs a killed worker left
 * active) and to obliterate the queue afterwards.
 */
export interface RawQueue {
  schedulers(): Promise<{ id: string; pattern?: string; tz?: string }[]>;
  delayedNames(): Promise<string[]>;
  counts(): Promise<Record<"waiting" | "active" | "delayed" | "completed" | "failed", number>>;
  /** QueueEvents connections listening to the queue, from any process. */
  eventListeners(): Promise<number>;
  /** A job added as plain BullMQ adds it, with options the runtime does not offer (e.g. a past `timestamp`). */
  add(name: string, data: unknown, opts: JobsOptions): Promise<void>;
  /** A job's data and return value as the datastore holds them (undefined: no such job). */
  stored(id: string): Promise<{ data: unknown; returnvalue: unknown } | undefined>;
  /** How many times a worker took the job from the queue (BullMQ's attemptsStarted; undefined: no such job). */
  timesTaken(id: string): Promise<number | undefined>;
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

const postgres = withBackend(createPostgresBackend);

export function openRawQueue(datastore: { kind: "redis" | "postgres"; url: string }, name: string): RawQueue {
  // On any form of REDIS_URL, with the keys where the runtime puts them (a Cluster's hash tag).
  const target = datastore.kind === "redis" ? parseRedisUrl(datastore.url) : undefined;
  const connection = target && createRedisClient(target, { maxRetriesPerRequest: null });
  // The runtime's union of both backends' Queue types: plain BullMQ, typed by the runtime.
  const queue: TaskQueue<unknown> = target
    ? new Queue<unknown, unknown, string>(name, { connection: connection!, prefix: queuePrefix(target, name) })
    : new postgres.Queue<unknown, unknown, string>(name, { connection: { connectionString: datastore.url, migrate: true } });
  return {
    async schedulers() {
      return (await queue.getJobSchedulers(0, -1)).map((s) => ({ id: s.id ?? s.key, pattern: s.pattern, tz: s.tz }));
    },
    async delayedNames() {
      return (await queue.getDelayed(0, -1)).map((job) => job.name);
    },
    async counts() {
      const counts = await queue.getJobCounts("waiting", "active", "delayed", "completed", "failed");
      return {
        waiting: counts.waiting ?? 0,
        active: counts.active ?? 0,
        delayed: counts.delayed ?? 0,
        completed: counts.completed ?? 0,
        failed: counts.failed ?? 0,
      };
    },
    eventListeners: async () => (await queue.getQueueEvents()).length,
    async add(name, data, opts) {
      await queue.add(name, data, opts);
    },
    async stored(id) {
      const job = await queue.getJob(id);
      return job && { data: job.data, returnvalue: job.returnvalue };
    },
    timesTaken: async (id) => (await queue.getJob(id))?.attemptsStarted,
    obliterate: () => queue.obliterate({ force: true }),
    async close() {
      await queue.close();
      connection?.disconnect();
    },
  };
}
