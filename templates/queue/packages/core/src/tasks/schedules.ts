import type { JobSchedulerTemplateOptions } from "bullmq";
import type { TaskQueue } from "./datastore/index.js";

/** A cron schedule declared with `worker.cron(...)`. */
export interface ScheduleDeclaration {
  /** The task's name, also the id of its BullMQ job scheduler. */
  readonly name: string;
  /** Cron pattern; 5 fields, or 6 with seconds first. */
  readonly pattern: string;
  /** IANA time zone the pattern is read in (default "UTC"). */
  readonly tz: string;
  readonly jobOptions: JobSchedulerTemplateOptions;
}

/**
 * Makes the queue's job schedulers exactly the declared ones: upserts each
 * declaration and removes every stored scheduler this code no longer declares,
 * so a cron deleted from the code stops running after the next deploy.
 */
export async function syncSchedules(queue: TaskQueue, declared: readonly ScheduleDeclaration[]): Promise<{ removed: string[] }> {
  for (const schedule of declared) {
    try {
      await queue.upsertJobScheduler(
        schedule.name,
        { pattern: schedule.pattern, tz: schedule.tz },
        { name: schedule.name, data: { args: [] }, opts: schedule.jobOptions },
      );
    } catch (error) {
      // Two workers starting together upsert the same schedule: on PostgreSQL the second
      // finds the next run already created by the first — the same declaration, so done.
      if (!(error instanceof Error && /job ID already exists/.test(error.message))) throw error;
    }
  }
  const keep = new Set(declared.map((schedule) => schedule.name));
  const removed: string[] = [];
  for (const stored of await queue.getJobSchedulers(0, -1)) {
    const id = stored.id ?? stored.key;
    if (keep.has(id)) continue;
    await queue.removeJobScheduler(id);
    removed.push(id);
  }
  return { removed };
}
