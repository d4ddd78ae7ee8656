import type { JobsOptions } from "bullmq";
import type { Transaction } from "./outbox.js";

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now (status "scheduled" until then). */
  delay?: number;
  /** Run no earlier than this time (instead of `delay`). */
  runAt?: Date | number;
  /** 1 (first) … 2 097 152; tasks without a priority run before prioritised ones. */
  priority?: number;
  /**
   * Your own id for the task: enqueueing again with an id the queue still holds
   * returns that task instead of adding another (de-duplication). Not a number, no ":".
   */
  id?: string;
  /**
   * Idempotency: enqueueing this task again with the same key returns the first task's
   * handle instead of queueing another — for `ttl` ms, or, without `ttl`, until the first
   * one has finished. Keys are per task.
   */
  key?: string;
  /** How long `key` holds, in ms (see `key`). */
  ttl?: number;
  /**
   * Debounce: the task runs `delay` ms after the last enqueue with this key; each enqueue
   * within that window replaces the one before (whose handle then reports "not_found").
   */
  debounce?: { key: string; delay: number };
  /**
   * Expiry: a task that has not started within this many ms (or by this time) does not
   * run at all; its status is "expired". Retries of a task that did start are not cut short.
   */
  expire?: number | Date;
  /**
   * Queue the task as part of this database transaction (a Drizzle `tx`): it is written to
   * the task outbox with the transaction's other rows, exists exactly when they do, and a
   * worker queues it once the transaction has committed (within TASKS_OUTBOX_POLL_MS).
   * Works while the queue's datastore is down: the task waits in the database meanwhile.
   */
  transaction?: Transaction;
}

/**
 * The options of a plain `enqueue(...)` / `enqueueMany(...)`: none. Shared and frozen, so
 * the enqueuer can tell it apart by identity and skip checking and merging (the hot path).
 */
export const NO_OPTIONS: EnqueueOptions = Object.freeze({});

/**
 * BullMQ's job options for an enqueue's options, checked (a TypeError names the task and
 * what is wrong), and the deadline for `expire` (epoch ms). `transaction` is the caller's.
 */
export function jobOptionsFor(name: string, options: EnqueueOptions): { jobOptions: JobsOptions; expiresAt?: number } {
  const { delay, runAt, priority, id, key, ttl, debounce, expire, transaction } = options;
  const problem = (message: string) => new TypeError(`Task "${name}": ${message}`);
  if (delay !== undefined && runAt !== undefined) throw problem("pass delay or runAt, not both");
  if (id !== undefined && (id === "" || /^\d+$/.test(id) || id.includes(":"))) {
    throw problem(`id "${id}" is not allowed: use a non-empty string that is not a number and has no ":"`);
  }
  if (ttl !== undefined && key === undefined) throw problem("ttl is how long a key holds: pass key too");
  if ((key !== undefined || debounce) && transaction) throw problem("key and debounce cannot be used in a transaction");
  if (key !== undefined && (id !== undefined || debounce)) throw problem("pass one of id, key and debounce");
  if (debounce && (delay !== undefined || runAt !== undefined)) throw problem("debounce sets the delay: pass no delay or runAt");
  for (const [option, value] of [
    ["ttl", ttl],
    ["debounce.delay", debounce?.delay],
  ] as const) {
    if (value !== undefined && !(Number.isInteger(value) && value > 0))
      throw problem(`${option} must be a positive number of ms, got ${value}`);
  }

  // Only the options given: an explicit `undefined` still costs BullMQ work on every job.
  const jobOptions: JobsOptions = {};
  if (id !== undefined) jobOptions.jobId = id;
  const at = runAt instanceof Date ? runAt.getTime() : runAt;
  if (at !== undefined) jobOptions.delay = Math.max(0, at - Date.now());
  else if (delay !== undefined) jobOptions.delay = delay;
  if (priority !== undefined) jobOptions.priority = priority;
  // BullMQ's deduplication: its simple and throttle modes for a key, its debounce mode for debounce.
  if (key !== undefined) jobOptions.deduplication = { id: `${name}:${key}`, ...(ttl !== undefined ? { ttl } : {}) };
  if (debounce) {
    jobOptions.deduplication = { id: `${name}:${debounce.key}`, ttl: debounce.delay, extend: true, replace: true };
    jobOptions.delay = debounce.delay;
  }
  if (expire === undefined) return { jobOptions };
  return { jobOptions, expiresAt: expire instanceof Date ? expire.getTime() : Date.now() + expire };
}
