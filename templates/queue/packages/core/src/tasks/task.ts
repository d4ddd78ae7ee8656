import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { BackoffOptions } from "./backoff.js";
import type { EnqueueOptions } from "./enqueue-options.js";
import type { TaskErrorInfo } from "./errors.js";
import type { Faithful, Revived } from "./payload.js";
import type { TaskHandle } from "./task-handle.js";

/*
 * What a declared task is to the code that uses it: its options, the typed handle on
 * it (`Task`: call, enqueue, batches, flows), and what a failure hands to hooks. The
 * worker (worker.ts) builds tasks; these are their shapes.
 */

/** A failed task, as `worker.failed()` lists it and `onFailure` hooks receive it. */
export interface FailedTask {
  id: string;
  taskName: string;
  args: unknown[];
  /** What the task threw on its last attempt. */
  error: TaskErrorInfo;
  /** Attempts made (1 + retries used). */
  attempts: number;
  failedAt: Date | undefined;
}

export type FailureHook = (failure: FailedTask) => void | Promise<void>;

/**
 * `A` is the task's arguments, which a limit's `key` receives. Declared as methods
 * (bivariant) so options for a task of `[string]` are also options of `unknown[]`.
 */
export interface TaskOptions<A extends unknown[] = unknown[]> {
  /** Retries after a failed attempt (default 0). The task is `failed` once the last one fails. */
  retries?: number;
  /** Waits between retries: exponential, capped, with jitter (see BackoffOptions). */
  backoff?: BackoffOptions;
  /** Milliseconds one attempt may run: then its signal fires and the attempt fails with TaskRunTimeoutError. */
  timeout?: number;
  /**
   * At most this many runs at once, across every worker process: of the whole task
   * (a number), or per key (`{ limit: 2, key: (customerId) => customerId }`). A run over
   * the limit waits out of the way (it holds no worker slot) until a slot frees.
   */
  concurrency?: number | ConcurrencyLimit<A>;
  /**
   * At most `limit` starts per `period` ms, across every worker process: of the whole
   * task, or per `key`. A run over the limit waits (holding no worker slot) until its
   * turn comes; nothing is dropped.
   */
  rateLimit?: RateLimit<A>;
  /** Runs once when the task fails permanently (after its last retry; not when aborted). */
  onFailure?: FailureHook;
}

/** What a limit counts by: runs whose key is the same share the limit (default: the whole task). */
export interface LimitKey<A extends unknown[]> {
  /** The key of a run, from the task's arguments as queued (e.g. a customer id). */
  key?(...args: A): string | number;
}

export interface ConcurrencyLimit<A extends unknown[] = unknown[]> extends LimitKey<A> {
  /** Runs at once per key. */
  limit: number;
}

export interface RateLimit<A extends unknown[] = unknown[]> extends LimitKey<A> {
  /** Starts per period per key. */
  limit: number;
  /** The period, in ms. */
  period: number;
}

export interface SchemaTaskOptions<S extends StandardSchemaV1> extends TaskOptions<[payload: StandardSchemaV1.InferInput<S>]> {
  /**
   * A Standard Schema (zod 4, valibot, arktype, …) for the task's one argument, its
   * payload: checked at enqueue (TaskPayloadError, nothing queued) and again when the task
   * runs, which receives the schema's output. The task's argument type comes from it.
   */
  schema: S;
}

export interface CronOptions extends TaskOptions<[]> {
  /** IANA time zone the pattern is read in (default "UTC"). */
  tz?: string;
  /**
   * Let a run start while the previous one still runs. By default (false) a tick that
   * comes while the previous run runs, on any worker, is skipped, and the log says so.
   */
  overlap?: boolean;
}

/** A registered task: callable directly (runs in-process), or queued with `enqueue`. */
export interface Task<A extends unknown[], R> {
  (...args: A): Promise<R>;
  readonly taskName: string;
  /**
   * Queues a run. The arguments and the result cross the queue as data (payload.ts): an
   * argument that would not come back as itself (a function, a class instance) fails to
   * typecheck, and the result is typed as what comes back (`Revived<R>`).
   */
  enqueue(...args: Faithful<A>): Promise<TaskHandle<Revived<R>>>;
  /**
   * Queues one run per argument list, in one round trip (BullMQ's addBulk; one INSERT in a
   * transaction): `sendReminder.enqueueMany(users.map((user) => [user.id]))`. All or
   * nothing at the check: one invalid item and none is queued. Handles in the same order.
   */
  enqueueMany(argsList: readonly Faithful<A>[]): Promise<TaskHandle<Revived<R>>[]>;
  /** Enqueue with options, keeping the typed call: `task.with({ delay: 60_000 }).enqueue(...args)`; `id` is for `enqueue` only. */
  with(options: EnqueueOptions): Pick<Task<A, R>, "enqueue" | "enqueueMany">;
  /** Rebuilds the handle of a task queued earlier, e.g. from an id stored in the database. */
  handle(id: string): TaskHandle<Revived<R>>;
  /** A run of this task described, not queued: a step of a flow (`other.after([step, …])`). */
  step(...args: Faithful<A>): TaskStep<Revived<R>>;
  /**
   * Runs this task after the steps, handing it their results, in order, as its first
   * argument: fan-out/fan-in (`report.after([part.step(1), part.step(2)])`) or a chain
   * (`b.after([a.step(x)])`), on BullMQ flows. A failed step fails this task (the default)
   * or, with `onChildFailure: "continue"`, leaves `undefined` in its place.
   */
  after<const S extends readonly TaskStep<unknown>[]>(
    steps: S,
    options: AfterOptions & { onChildFailure: "continue" },
  ): { enqueue(...args: ArgsAfter<A, { -readonly [K in keyof S]: StepResult<S[K]> | undefined }>): Promise<TaskHandle<Revived<R>>> };
  after<const S extends readonly TaskStep<unknown>[]>(
    steps: S,
    options?: AfterOptions,
  ): { enqueue(...args: ArgsAfter<A, { -readonly [K in keyof S]: StepResult<S[K]> }>): Promise<TaskHandle<Revived<R>>> };
}

/** A run described and not yet queued (`task.step(...args)`); queued with the flow it is a step of. */
export interface TaskStep<R> {
  readonly taskName: string;
  readonly args: readonly unknown[];
  /** Its id from the start, so its handle can be kept before the flow is queued. */
  readonly id: string;
  readonly handle: TaskHandle<R>;
}

export interface AfterOptions {
  /** What a failed step does to the task after it: fail it (default), or let it run with `undefined` for that step. */
  onChildFailure?: "fail" | "continue";
}

type StepResult<S> = S extends TaskStep<infer R> ? R : never;

/** The rest of a task's arguments after its first, when the steps' results fit that first one. */
type ArgsAfter<A extends unknown[], Results> = A extends [infer First, ...infer Rest]
  ? Results extends First
    ? Faithful<Rest>
    : never
  : never;
