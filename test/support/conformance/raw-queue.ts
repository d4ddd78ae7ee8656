import { Queue, createPostgresBackend, withBackend } from "bullmq";
import { Redis } from "ioredis";
import type { EngineConfig } from "../../../templates/queue/packages/core/src/tasks/index.js";

/** Plain BullMQ access to a queue, to look at what the runtime stored (job schedulers) and to clean up. */
export interface RawQueue {
  schedulers(): Promise<{ id: string; pattern?: string; tz?: string }[]>;
  delayedNames(): Promise<string[]>;
  obliterate(): Promise<void>;
  close(): Promise<void>;
}

export async function openRawQueue(engine: EngineConfig & { url: string }, name: string): Promise<RawQueue> {
  const connection = engine.kind === "redis" ? new Redis(engine.url, { maxRetriesPerRequest: null }) : undefined;
  const queue =
    connection
      ? new Queue(name, { connection })
      : (new (withBackend(createPostgresBackend).Queue)(name, {
          connection: { connectionString: engine.url, migrate: true },
        }) as unknown as Queue);
  return {
    async schedulers() {
      return (await queue.getJobSchedulers(0, -1)).map((s) => ({ id: s.id ?? s.key, pattern: s.pattern, tz: s.tz }));
    },
    async delayedNames() {
      return (await queue.getDelayed(0, -1)).map((job) => job.name);
    },
    obliterate: () => queue.obliterate({ force: true }),
    async close() {
      await queue.close();
      connection?.disconnect();
    },
  };
}
