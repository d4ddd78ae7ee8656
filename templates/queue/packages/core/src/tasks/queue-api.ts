import type { JobSchedulerJson, JobsOptions, RepeatOptions } from "bullmq";
import type { EngineQueue, TaskJob, TaskJobData } from "./engine.js";

/** What a queued task carries beyond its arguments. */
export interface RuntimeJobData extends TaskJobData {
  /** Set by `abort()` on a running task: the durable abort marker, read when an attempt starts and while it runs. */
  abortRequestedAt?: number;
}

/**
 * The part of BullMQ's Queue the runtime uses beyond the engine's EngineQueue.
 * `engine.openQueue` returns a real BullMQ Queue (Redis or PostgreSQL backend),
 * which has all of these; TODO(engine): fold them into EngineQueue and drop the cast.
 */
export interface TaskQueue extends EngineQueue {
  /** One read, cheaper than getJob + job.getState(); "unknown" when there is no such job. */
  getJobState(id: string): Promise<string>;
  getFailed(start?: number, end?: number): Promise<TaskJob[]>;
  getJobSchedulers(start?: number, end?: number, asc?: boolean): Promise<JobSchedulerJson[]>;
  upsertJobScheduler(
    id: string,
    repeat: Omit<RepeatOptions, "key">,
    template: { name: string; data: RuntimeJobData; opts: Omit<JobsOptions, "jobId" | "repeat" | "delay"> },
  ): Promise<unknown>;
  removeJobScheduler(id: string): Promise<boolean>;
  clean(graceMs: number, limit: number, type: "wait"): Promise<string[]>;
}

export const asTaskQueue = (queue: EngineQueue): TaskQueue => queue as TaskQueue;
