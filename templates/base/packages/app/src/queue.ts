// The job queue is off in this project: signups are recorded, nothing runs in
// the background. (A project generated with the queue on has the task runtime
// here instead: the welcome email task, `GET /tasks/:id` and the dashboard.)
import type { Hono } from "hono";
import type { AppConfig } from "./config.js";

/** Queues the new user's welcome email in the signup's transaction; the task id, or undefined without a job queue. */
export async function enqueueWelcomeEmail(_userId: string, _transaction: unknown): Promise<string | undefined> {
  return undefined;
}

/** Adds the routes of the job queue (none here). */
export function mountQueueRoutes(_app: Hono, _config: AppConfig): void {}

/** The queue's part of the readiness check (none here). */
export function queueHealthChecks(): Record<string, () => Promise<unknown>> {
  return {};
}

/** What the queue adds to the startup message (nothing here). */
export function queueStartupNotes(_baseUrl: string, _config: AppConfig): string[] {
  return [];
}

/** Closes the queue's connections (none here). */
export async function closeQueue(): Promise<void> {}

/** Whether this project has the job queue (tests read it). */
export const jobQueueEnabled: boolean = false;
