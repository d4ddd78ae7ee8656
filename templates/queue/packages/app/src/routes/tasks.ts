import type { TaskStatus } from "@repo/core/tasks";
import { Hono } from "hono";
import { worker } from "../tasks/worker.js";

interface TaskView {
  id: string;
  status: TaskStatus;
  /** What the task returned, once completed. */
  result?: unknown;
  /** Why it failed, once failed. */
  error?: { name: string; message: string };
}

/**
 * `GET /tasks/:id` → `{ id, status, result? | error? }`, 404 for an unknown (or
 * expired) id. Any task of the queue can be looked up by its id.
 */
export const taskRoutes = new Hono().get("/tasks/:id", async (c) => {
  const id = c.req.param("id");
  const handle = worker.handle(id);
  const status = await handle.status();
  if (status === "not_found") return c.json({ error: `No task with id ${id} (never queued, or its result has expired)` }, 404);

  const view: TaskView = { id, status };
  if (status === "completed" || status === "failed") {
    // Finished: result() answers from the stored outcome without waiting.
    const outcome = await handle.result({ timeout: 0 });
    if (outcome.success) view.result = outcome.value;
    else view.error = { name: outcome.error.name, message: outcome.error.message };
  }
  return c.json(view);
});
