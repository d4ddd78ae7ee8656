import { DeclarationError } from "@repo/core";
import type { LimitKey, TaskOptions } from "./task.js";

/**
 * A task's `concurrency` and `rateLimit`, as the runner applies them: each with the
 * name of the limit a run counts against (its datastore key, from the task and the
 * run's key). Both hold across every worker process (limit-gate.ts).
 */
export interface TaskLimits {
  concurrency?: { limit: number; keyOf(args: readonly unknown[]): string };
  rate?: { limit: number; period: number; keyOf(args: readonly unknown[]): string };
}

/** The limits a task declares, checked (a DeclarationError names the task and the option). */
export function declaredLimits(name: string, { concurrency, rateLimit }: TaskOptions): TaskLimits | undefined {
  if (concurrency === undefined && rateLimit === undefined) return undefined;
  const limits: TaskLimits = {};
  if (concurrency !== undefined) {
    const { limit, key } = typeof concurrency === "number" ? { limit: concurrency, key: undefined } : concurrency;
    checkPositive(name, typeof concurrency === "number" ? "concurrency" : "concurrency.limit", limit);
    limits.concurrency = { limit, keyOf: keyFunction(name, "concurrency", key) };
  }
  if (rateLimit !== undefined) {
    checkPositive(name, "rateLimit.limit", rateLimit.limit);
    checkPositive(name, "rateLimit.period", rateLimit.period);
    limits.rate = { limit: rateLimit.limit, period: rateLimit.period, keyOf: keyFunction(name, "rateLimit", rateLimit.key) };
  }
  return limits;
}

function checkPositive(name: string, option: string, value: unknown): void {
  if (!(typeof value === "number" && Number.isInteger(value) && value >= 1)) {
    throw new DeclarationError(`Task "${name}": ${option} must be a positive integer, got ${String(value)}`);
  }
}

/**
 * The limit's name for a run: the task's, and the run's key when the task gives one.
 * A key that is not a string or a number (undefined: a payload without the field) is
 * an error of the run, named, rather than a limit shared by every such run.
 */
function keyFunction(name: string, option: string, key: LimitKey<unknown[]>["key"]): (args: readonly unknown[]) => string {
  // JSON, so that no task name and key can spell another's ("a:b" + "c" and "a" + "b:c").
  if (key === undefined) return () => `${option}:${JSON.stringify([name])}`;
  if (typeof key !== "function") throw new DeclarationError(`Task "${name}": ${option}.key must be a function of the task's arguments`);
  return (args) => {
    const value: unknown = key(...args);
    if (typeof value !== "string" && typeof value !== "number") {
      throw new TypeError(`Task "${name}": ${option}.key gave ${value === null ? "null" : typeof value}, not a string or a number`);
    }
    return `${option}:${JSON.stringify([name, String(value)])}`;
  };
}
