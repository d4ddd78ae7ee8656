import type { StandardSchemaV1 } from "@standard-schema/spec";
import { UnrecoverableError } from "bullmq";

/**
 * A task's payload did not pass its schema. At enqueue, nothing was queued. When the
 * task runs (a task queued by an earlier deploy, before the schema changed), the task
 * fails for good with this message: retrying the same payload cannot help, so it
 * extends BullMQ's UnrecoverableError.
 */
export class TaskPayloadError extends UnrecoverableError {
  constructor(
    readonly taskName: string,
    readonly issues: readonly StandardSchemaV1.Issue[],
    when: "enqueue" | "run",
    item?: string,
  ) {
    const lead =
      when === "enqueue"
        ? `Cannot enqueue task "${taskName}"${item ? ` (${item})` : ""}: its payload is invalid`
        : `Task "${taskName}" cannot run: its payload is invalid (was it queued before the task's schema changed?)`;
    super(`${lead}: ${issues.map(describeIssue).join("; ")}`);
    this.name = "TaskPayloadError";
  }
}

/**
 * Checks `value` against a Standard Schema (zod, valibot, arktype, … — whichever the
 * project uses) and resolves with the schema's output (defaults and transforms
 * applied); throws TaskPayloadError with every issue otherwise.
 */
export async function validatePayload<S extends StandardSchemaV1>(
  taskName: string,
  schema: S,
  value: unknown,
  when: "enqueue" | "run",
  /** Which item of a batch (`enqueueMany`), for the message. */
  item?: string,
): Promise<StandardSchemaV1.InferOutput<S>> {
  const result = await schema["~standard"].validate(value);
  if (result.issues) throw new TaskPayloadError(taskName, result.issues, when, item);
  return result.value as StandardSchemaV1.InferOutput<S>;
}

/** "at .items[2].price: Expected number", or the bare message for the payload as a whole. */
function describeIssue(issue: StandardSchemaV1.Issue): string {
  const path = (issue.path ?? [])
    .map((segment) => (typeof segment === "object" ? segment.key : segment))
    .map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`))
    .join("");
  return path ? `at ${path}: ${issue.message}` : issue.message;
}
