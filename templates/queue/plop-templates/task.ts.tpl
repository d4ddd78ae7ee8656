import { worker } from "./worker.js";

/**
 * {{camelCase name}}: a background task.
 *
 * - `await {{camelCase name}}.enqueue(input)` queues it (from a route, a script or
 *   another task); a worker process (`pnpm worker:dev`) runs it. The returned
 *   handle has `status()`, `result()` and `abort()`.
 * - `await {{camelCase name}}(input)` runs it right here (tests do this).
 *
 * Arguments and results travel through the queue, so keep them JSON-serialisable.
 * Shared resources (database, HTTP client, mailer) are on `worker.context`.
 */
export const {{camelCase name}} = worker.task("{{camelCase name}}", async (input: string) => {
  // TODO: do the work here.
  return { status: "done", input } as const;
});
