import { type Logger, logger } from "@repo/core";
import type { TaskJob } from "./datastore/index.js";
import { traceIdOf } from "./tracing.js";

/** The runtime's logger: component "tasks". */
export const tasksLog = (): Logger => logger("tasks");

/**
 * What every line about a task carries, for a log backend to find them all: the task's
 * name, id and attempt, and the trace it was queued in when it has one. (Lines written
 * inside the task get these from its context: see current.ts.)
 */
export function taskFields(job: TaskJob, attempt: number): Record<string, string | number> {
  const traceId = traceIdOf(job);
  return { task: job.name, taskId: job.id ?? "?", attempt, ...(traceId ? { trace_id: traceId } : {}) };
}
