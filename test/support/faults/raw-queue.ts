import { Queue, createPostgresBackend, withBackend } from "bullmq";
import { Redis } from "ioredis";
import type { FaultWorkerConfig } from "./protocol.js";

/**
 * Raw BullMQ access to a test queue, beside the runtime: to see what a killed
 * worker left behind (jobs still "active" under its expired locks) and to
 * obliterate the queue afterwards.
 */
export interface RawQueue {
  counts(): Promise<Record<"waiting" | "active" | "delayed" | "completed" | "failed", number>>;
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

const postgres = withBackend(createPostgresBackend);

export function openRawQueue(engine: FaultWorkerConfig["engine"], name: string): RawQueue {
  if (engine.kind === "redis") {
    const connection = new Redis(engine.url, { maxRetriesPerRequest: null });
    const queue = new Queue(name, { connection });
    return wrap(queue, async () => {
      await queue.close();
      connection.disconnect();
    });
  }
  const queue = new postgres.Queue(name, { connection: { connectionString: engine.url, migrate: true } });
  return wrap(queue, () => queue.close());
}

type CountingQueue = Pick<Queue, "getJobCounts" | "obliterate">;

function wrap(queue: CountingQueue, close: () => Promise<void>): RawQueue {
  return {
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
    obliterate: () => queue.obliterate({ force: true }),
    close,
  };
}
