import { randomUUID } from "node:crypto";
import { setMaxListeners } from "node:events";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import {
  closeDatabase,
  type Database,
  db as projectDb,
  DeclarationError,
  describeError,
  exitGracefullyOnSignals,
  isConnectionError,
} from "@repo/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { JobsOptions } from "bullmq";
import { CronExpressionParser } from "cron-parser";
import { openContext, type ContextOptions, type Lifespan, type TaskContext } from "./context.js";
import { type CurrentTask, currentTask, directCall, runAsCurrent } from "./current.js";
import {
  type ConsumerSettings,
  type Datastore,
  type DatastoreConfig,
  datastoreFromEnv,
  type LimitStore,
  openDatastore,
  type QueueConsumer,
  type TaskFlowProducer,
  type TaskJob,
  type TaskJobData,
  type TaskQueue,
} from "./datastore/index.js";
import { errorInfoFromJob, TaskAbortedError, TaskExpiredError } from "./errors.js";
import { FinishEvents } from "./finish-events.js";
import { JobRunner, type RunnableTask, type TaskMiddleware } from "./job-runner.js";
import { LimitGate } from "./limit-gate.js";
import { type AttemptOutcome, TaskMetrics } from "./metrics.js";
import { declaredLimits } from "./limits.js";
import { readDeadline, withinDeadline } from "./deadline.js";
import { Enqueuer, type EnqueueableTask } from "./enqueuer.js";
import { Outbox, OutboxRelay } from "./outbox.js";
import { syncSchedules } from "./schedules.js";
import { taskFields, tasksLog } from "./task-log.js";
import { decodeArgs, type Faithful, type Revived } from "./payload.js";
import { queueNameFromEnv, resolveSettings, type RuntimeSettings, type SettingsOptions } from "./settings.js";
import { type AbortMarker, type HandleQueues, hasExpired, TaskHandle, wasAbortedWhileRunning } from "./task-handle.js";
import { validatePayload } from "./validation.js";
import { type EnqueueOptions, NO_OPTIONS } from "./enqueue-options.js";
import type { AfterOptions, CronOptions, FailedTask, FailureHook, SchemaTaskOptions, Task, TaskOptions, TaskStep } from "./task.js";

export interface TaskWorkerOptions extends SettingsOptions {
  /** Queue name; default env TASKS_QUEUE, else "tasks". */
  queueName?: string;
  /** Where the queue lives; default from env (REDIS_URL, else DATABASE_URL, else the embedded database). */
  datastore?: DatastoreConfig;
  context?: ContextOptions;
  /** Runs once for every task that fails permanently (after the task's own hook). */
  onFailure?: FailureHook;
  /**
   * The database holding the task outbox (`with({ transaction })`): read by handles, and
   * relayed to the queue by `run()`. The project's worker uses the project's database;
   * without one, transactional enqueue is not available.
   */
  outbox?: Database;
}

export interface RunOptions {
  /** Close gracefully and exit on SIGINT/SIGTERM (default true; pass false when embedding). */
  handleSignals?: boolean;
}

type AnyTaskFn = (...args: unknown[]) => unknown;

interface RegisteredTask extends RunnableTask, EnqueueableTask {}

// How long closing waits for the datastore once running tasks are done (or handed back):
// it answers a QUIT or a pool's end in milliseconds, unless it stopped answering altogether.
const DATASTORE_CLOSE_MS = 5_000;

/** A `worker.cron(...)` declaration, turned into a BullMQ job scheduler when a worker runs. */
interface DeclaredSchedule {
  readonly name: string;
  readonly pattern: string;
  readonly tz: string;
  readonly options: TaskOptions;
}

/**
 * The task runtime of the project: a registry of tasks, the queue they go through,
 * and the consumer that runs them. Everything connects lazily, on first use, and the
 * settings are read then too: importing task modules never fails on configuration
 * (entry points check it first, every problem at once: `settingProblems`).
 */
export class TaskWorker {
  #settings: RuntimeSettings | undefined;
  private readonly registry = new Map<string, RegisteredTask>();
  private readonly schedules: DeclaredSchedule[] = [];
  private readonly failureHooks: FailureHook[] = [];
  private readonly middleware: TaskMiddleware[] = [];
  private datastore: Datastore | undefined;
  private taskQueue: Promise<TaskQueue> | undefined;
  private markerQueue: Promise<TaskQueue<AbortMarker>> | undefined;
  private flows: Promise<TaskFlowProducer> | undefined;
  private limitStore: Promise<LimitStore> | undefined;
  private finishEvents: FinishEvents | undefined;
  private consumer: QueueConsumer | undefined;
  private closeRequested = false;
  private runner: JobRunner | undefined;
  private lifespan: Lifespan | undefined;
  private closing: Promise<void> | undefined;
  // Aborted when close() comes to closing the queues: what waits on them (result()) stops
  // waiting. Renewed, since a closed worker opens its queues again when it is used again.
  private lifetime = newLifetime();
  private relay: OutboxRelay | undefined;
  private readonly outbox: Outbox | undefined;
  private readonly queues: HandleQueues = {
    tasks: () =>
      (this.taskQueue ??= forgetOnFailure(this.getDatastore().openQueue<TaskJobData>(this.queueName), () => (this.taskQueue = undefined))),
    abortMarkers: () =>
      (this.markerQueue ??= forgetOnFailure(this.getDatastore().openQueue<AbortMarker>(`${this.queueName}-aborted`), () => {
        this.markerQueue = undefined;
      })),
    finishes: () => (this.finishEvents ??= new FinishEvents(() => this.getDatastore().openQueueEvents(this.queueName))),
    outbox: () => this.outbox,
    closing: () => this.lifetime.signal,
    timeoutMs: () => this.settings.enqueueTimeoutMs,
  };

  private readonly enqueuer: Enqueuer;
  /** This process's Prometheus metrics of its tasks (`GET /metrics`: `await worker.metrics.scrape()`). */
  readonly metrics: TaskMetrics = new TaskMetrics(() => this.counts());

  constructor(private readonly options: TaskWorkerOptions = {}) {
    if (options.onFailure) this.failureHooks.push(options.onFailure);
    this.outbox = options.outbox && new Outbox(options.outbox);
    this.enqueuer = new Enqueuer({
      queueName: () => this.queueName,
      lookup: (name) => this.registry.get(name),
      jobOptions: (taskOptions) => this.jobOptions(taskOptions),
      tasks: () => this.queues.tasks(),
      flows: () => this.flowProducer(),
      outbox: this.outbox,
      timeoutMs: () => this.settings.enqueueTimeoutMs,
      enqueued: (name, count) => this.metrics.enqueued(name, count),
    });
  }

  /** The worker's settings: its options, else the environment (TASKS_*), else defaults; read on first use. */
  get settings(): RuntimeSettings {
    this.#settings ??= resolveSettings(this.options);
    return this.#settings;
  }

  get queueName(): string {
    return this.options.queueName ?? queueNameFromEnv();
  }

  get taskNames(): string[] {
    return [...this.registry.keys()];
  }

  /** Shared resources (HTTP client, database, mailer) for task bodies. */
  get context(): TaskContext {
    this.lifespan ??= openContext(this.options.context);
    return this.lifespan.context;
  }

  /**
   * Inside a running task: its id, attempt number and AbortSignal. A task called
   * directly gets an id "direct:<uuid>", attempt 1 and a signal that never fires.
   * Throws outside a task.
   */
  current(): CurrentTask {
    return currentTask();
  }

  /**
   * The handle of any task of this worker's queue, by id — for code that stores ids and
   * looks tasks up later (`GET /tasks/:id`). Its result is untyped; the task's own
   * `handle(id)` keeps the types.
   */
  handle(id: string): TaskHandle<unknown> {
    return new TaskHandle<unknown>(id, undefined, this.queues);
  }

  /** Registers a hook that runs once for every task that fails permanently. */
  onFailure(hook: FailureHook): void {
    this.failureHooks.push(hook);
  }

  /**
   * Adds a middleware around every run of every task in this worker (not around direct
   * calls), in the order added, the first outermost: `next()` runs the rest and the task
   * and resolves with its result. For timing, tracing, logging context:
   * `worker.use(async ({ task }, next) => { const t = Date.now(); try { return await next(); } finally { … } })`.
   */
  use(middleware: TaskMiddleware): void {
    this.middleware.push(middleware);
  }

  /**
   * Queues a task by name, for a producer that cannot import the task's module (another
   * service, a script): the arguments are not typed, and the handle's result is unknown. The
   * worker that runs it applies the task's declared retries, timeout and schema.
   */
  async enqueue(name: string, args: readonly unknown[] = [], options: EnqueueOptions = NO_OPTIONS): Promise<TaskHandle<unknown>> {
    const [id] = await this.enqueuer.runs(name, options, [[...args]], false);
    return new TaskHandle<unknown>(id!, name, this.queues);
  }

  /**
   * How many tasks of this queue are in each state. Aborted and expired tasks count as
   * failed here (telling them apart means reading each one: `handle.status()`).
   */
  counts(): Promise<Record<"queued" | "scheduled" | "running" | "completed" | "failed", number>> {
    const deadline = readDeadline(
      `Could not count the tasks of queue ${this.queueName}`,
      this.settings.enqueueTimeoutMs,
      this.lifetime.signal,
    );
    return withinDeadline(() => this.readCounts(), deadline);
  }

  private async readCounts(): Promise<Record<"queued" | "scheduled" | "running" | "completed" | "failed", number>> {
    const counts = await (await this.queues.tasks()).getJobCounts(
      "waiting",
      "prioritized",
      "waiting-children",
      "delayed",
      "active",
      "completed",
      "failed",
    );
    const count = (state: string) => counts[state] ?? 0;
    return {
      queued: count("waiting") + count("prioritized") + count("waiting-children"),
      scheduled: count("delayed"),
      running: count("active"),
      completed: count("completed"),
      failed: count("failed"),
    };
  }

  /**
   * Declares a task: `fn` runs in a worker for each `enqueue(...args)`. With `schema`,
   * the task takes one payload, typed and checked by the schema.
   */
  task<S extends StandardSchemaV1, R>(
    name: string,
    fn: (payload: StandardSchemaV1.InferOutput<S>) => R | Promise<R>,
    options: SchemaTaskOptions<S>,
  ): Task<[payload: StandardSchemaV1.InferInput<S>], Awaited<R>>;
  task<A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>, options?: TaskOptions<A>): Task<A, Awaited<R>>;
  task<A extends unknown[], R>(
    name: string,
    declared: (...args: A) => R | Promise<R>,
    options: TaskOptions & { schema?: StandardSchemaV1 } = {},
  ): Task<A, Awaited<R>> {
    if (this.registry.has(name)) throw new DeclarationError(`Task "${name}" is registered twice; task names must be unique.`);
    for (const key of ["retries", "timeout"] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= (key === "retries" ? 0 : 1))) {
        throw new DeclarationError(
          `Task "${name}": ${key} must be a ${key === "retries" ? "non-negative" : "positive"} integer, got ${value}`,
        );
      }
    }
    const { schema } = options;
    // With a schema, every run (queued or called directly) checks its payload first.
    const fn = schema ? async (...args: A) => declared(...([await validatePayload(name, schema, args[0], "run")] as A)) : declared;
    this.registry.set(name, {
      fn: fn as AnyTaskFn,
      options,
      schema,
      attempts: (options.retries ?? 0) + 1,
      timeout: options.timeout,
      limits: declaredLimits(name, options),
      backoff: options.backoff,
    });
    type Result = Revived<Awaited<R>>;
    const handle = (id: string) => new TaskHandle<Result>(id, name, this.queues);
    const enqueueOne = (opts: EnqueueOptions, args: Faithful<A>) =>
      this.enqueuer.runs(name, opts, [args], false).then(([id]) => handle(id!));
    const enqueueMany = (opts: EnqueueOptions, argsList: readonly Faithful<A>[]) =>
      this.enqueuer.runs(name, opts, argsList, true).then((ids) => ids.map(handle));
    const call = async (...args: A): Promise<Awaited<R>> => {
      return await runAsCurrent(directCall(name, `direct:${randomUUID()}`), () => fn(...args));
    };
    return Object.assign(call, {
      taskName: name,
      enqueue: (...args: Faithful<A>) => enqueueOne(NO_OPTIONS, args),
      enqueueMany: (argsList: readonly Faithful<A>[]) => enqueueMany(NO_OPTIONS, argsList),
      with: (opts: EnqueueOptions) => ({
        enqueue: (...args: Faithful<A>) => enqueueOne(opts, args),
        enqueueMany: (argsList: readonly Faithful<A>[]) => enqueueMany(opts, argsList),
      }),
      handle: (id: string) => new TaskHandle<Result>(id, name, this.queues),
      step: (...args: Faithful<A>): TaskStep<Result> => {
        const id = randomUUID();
        return { taskName: name, args, id, handle: new TaskHandle<Result>(id, name, this.queues) };
      },
      after: (steps: readonly TaskStep<unknown>[], after: AfterOptions = {}) => ({
        enqueue: async (...rest: unknown[]) =>
          new TaskHandle<Result>(await this.enqueuer.flow(name, steps, after, rest), name, this.queues),
      }),
    });
  }

  /**
   * A task that also runs on a schedule (BullMQ job scheduler): `pattern` is cron,
   * 5 fields or 6 with seconds first, read in UTC unless `tz` is given. When a
   * worker process starts (`run()`), the declared schedules replace the stored
   * ones: a cron removed from the code stops running. A pattern or time zone that
   * cannot be read is a DeclarationError at once, naming the task and the pattern.
   */
  cron<R>(pattern: string, name: string, fn: () => R | Promise<R>, options: CronOptions = {}): Task<[], Awaited<R>> {
    const { tz = "UTC", overlap = false, ...taskOptions } = options;
    checkSchedule(name, pattern, tz);
    const task = this.task(name, fn, taskOptions);
    const registered = this.registry.get(name);
    if (registered) this.registry.set(name, { ...registered, overlap });
    this.schedules.push({ name, pattern, tz, options: taskOptions });
    return task;
  }

  /** Failed tasks, most recent first (kept for TASKS_KEEP_FAILED_MS); aborted and expired tasks are not listed. */
  async failed({ limit = 100 }: { limit?: number } = {}): Promise<FailedTask[]> {
    const jobs = await (await this.queues.tasks()).getFailed(0, limit - 1);
    return jobs.filter((job) => job && !wasAbortedWhileRunning(job) && !hasExpired(job)).map(failedTask);
  }

  /**
   * Starts consuming the queue in this process; resolves once the consumer is
   * connected. Replaces the stored cron schedules with the declared ones. With
   * `handleSignals` (the default) SIGINT/SIGTERM stop taking tasks, let running
   * ones finish within the grace period, hand the rest back and exit 0.
   */
  async run({ handleSignals = true }: RunOptions = {}): Promise<void> {
    if (this.consumer) throw new Error("worker.run() was already called");
    this.closeRequested = false;
    const datastore = this.getDatastore();
    const runner = new JobRunner({
      lookup: (name) => this.registry.get(name),
      tasks: () => this.queues.tasks(),
      abortPollMs: this.settings.abortPollMs,
      middleware: this.middleware,
      queueName: this.queueName,
      limits: new LimitGate({
        store: () => this.openLimitStore(),
        tasks: () => this.queues.tasks(),
        // As long as a task's lock: a dead worker's slots free about when its tasks are found stalled.
        leaseMs: 2 * this.settings.stalledIntervalMs,
      }),
      started: (job) => {
        if (job.attemptsMade === 0) this.metrics.started(job.name, Date.now() - job.timestamp - (job.opts.delay ?? 0));
      },
    });
    const { concurrency, stalledIntervalMs } = this.settings;
    // A lock lasts two stall intervals (renewed every one): a live worker never loses it to a
    // slow renewal, a dead one's tasks are found stalled and run again within a few intervals.
    // Started by hand below, once "worker ready" is said: no task runs before it.
    const consumerSettings: ConsumerSettings = {
      concurrency,
      stalledInterval: stalledIntervalMs,
      lockDuration: 2 * stalledIntervalMs,
      autorun: false,
      // What handle.info() names as the worker that ran a task.
      name: `${hostname()}:${process.pid}`,
    };
    // Signals first: SIGTERM while the datastore is still unreachable must shut down cleanly.
    if (handleSignals) this.handleSignals();
    let consumer: QueueConsumer;
    try {
      consumer = await datastore.openConsumer(this.queueName, runner.process, consumerSettings);
    } catch (error) {
      if (this.closeRequested) return; // close() ended the wait for the datastore
      throw error;
    }
    this.consumer = consumer;
    this.runner = runner;
    consumer.on("failed", (job, error) => {
      if (!job) {
        tasksLog().error(`a task failed: ${error.message}`);
        return;
      }
      const { level, line, outcome } = attemptEnd(job, error);
      tasksLog()[level](taskFields(job, job.attemptsMade), line);
      this.metrics.ended(job.name, outcome, outcome === "expired" ? undefined : ranFor(job));
      void this.afterFailure(job);
    });
    consumer.on("completed", (job) => this.metrics.ended(job.name, "completed", ranFor(job)));
    consumer.on("error", (error) => {
      // The datastore reports itself unreachable once and retries; no line per retry.
      if (!isConnectionError(error)) tasksLog().error(`worker error: ${error.message}`);
    });
    await consumer.waitUntilReady();
    const schedules = this.schedules.map(({ options, ...schedule }) => ({ ...schedule, jobOptions: this.jobOptions(options) }));
    const { removed } = await syncSchedules(await this.queues.tasks(), schedules);
    if (removed.length > 0) tasksLog().info(`removed schedules no longer declared: ${removed.join(", ")}`);
    // Abort markers outlive their tasks only as long as failed tasks are kept.
    await (await this.queues.abortMarkers()).clean(this.settings.keepFailedMs, 1_000, "wait");
    if (this.outbox) {
      this.relay = new OutboxRelay(this.outbox, this.queueName, (entry) => this.enqueuer.fromOutbox(entry), this.settings.outboxPollMs);
      this.relay.start();
    }
    tasksLog().info(
      { queue: this.queueName, datastore: datastore.kind, concurrency, tasks: this.taskNames },
      `worker ready: queue "${this.queueName}" on ${datastore.kind}, concurrency ${concurrency}, tasks: ${this.taskNames.join(", ") || "(none registered)"}`,
    );
    // Resolves when the consumer closes; its failures are its 'error' events, reported above.
    consumer.run().catch(() => {});
  }

  /**
   * Stops taking tasks, lets running ones finish within the grace period
   * (TASKS_SHUTDOWN_GRACE_MS), hands the rest back to the queue for another
   * worker, then closes its queues, its datastore connections and the context's
   * mail transport. The database is the process's: `closeDatabase()` ends it.
   */
  close(): Promise<void> {
    this.closeRequested = true;
    this.closing ??= this.shutdown().finally(() => {
      this.closing = undefined;
    });
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const relay = this.relay;
    this.relay = undefined;
    await relay?.stop();
    const consumer = this.consumer;
    const runner = this.runner;
    this.consumer = this.runner = undefined;
    const drained = consumer?.close(); // stops fetching; resolves when running tasks are done
    const inTime = !drained || (await settlesWithin(drained, this.settings.shutdownGraceMs));
    // The rest needs the datastore: one that stopped answering must not hold the process.
    const datastore = this.datastore;
    const closing = { abandoned: false };
    const closed = this.closeQueues(inTime ? undefined : runner, drained, datastore, closing);
    if (await settlesWithin(closed, DATASTORE_CLOSE_MS)) await closed;
    else {
      closing.abandoned = true; // its late steps must not touch this worker, which may be in use again by then
      tasksLog().warn(`the task datastore did not answer within ${DATASTORE_CLOSE_MS} ms while closing: its connections were dropped`);
      this.forgetQueues().catch(() => {}); // if closing had not come that far
      datastore?.drop();
    }
    if (this.datastore === datastore) this.datastore = undefined;
    const lifespan = this.lifespan;
    this.lifespan = undefined;
    await lifespan?.close();
  }

  /** Hands back what `runner` still runs (its grace period is over), waits for the consumer, then closes the queues and `datastore`. */
  private async closeQueues(
    runner: JobRunner | undefined,
    drained: Promise<void> | undefined,
    datastore: Datastore | undefined,
    closing: { abandoned: boolean },
  ): Promise<void> {
    if (runner) {
      tasksLog().warn(`grace period over: handing ${runner.runningCount} running task(s) back to the queue`);
      await runner.releaseAll();
    }
    await drained;
    if (closing.abandoned) return;
    await this.forgetQueues();
    await datastore?.close();
  }

  /**
   * Ends every wait on the queues (running tasks are done, or handed back, by now), lets
   * go of them and closes them; the datastore closes the limit store.
   */
  private forgetQueues(): Promise<unknown> {
    this.lifetime.abort();
    this.lifetime = newLifetime();
    const queues = [this.taskQueue, this.markerQueue, this.flows];
    const finishEvents = this.finishEvents;
    this.taskQueue = this.markerQueue = this.finishEvents = this.flows = this.limitStore = undefined;
    return Promise.all([
      ...queues.map(async (queue) => (await queue?.catch(() => undefined))?.close()),
      finishEvents?.close().catch(() => {}),
    ]);
  }

  private jobOptions(options: TaskOptions): JobsOptions {
    return {
      attempts: (options.retries ?? 0) + 1,
      // Ages in seconds. BullMQ evicts expired jobs when later ones finish.
      removeOnComplete: { age: Math.ceil(this.settings.keepResultsMs / 1000) },
      removeOnFail: { age: Math.ceil(this.settings.keepFailedMs / 1000) },
    };
  }

  /**
   * Resolves when the task datastore answers one round trip (within its connect timeout),
   * rejects otherwise: for readiness checks (`GET /health/ready`).
   */
  async ping(): Promise<void> {
    await this.getDatastore().ping();
  }

  /** Runs the failure hooks once the task failed for good (BullMQ also reports attempts that will be retried). */
  private async afterFailure(job: TaskJob): Promise<void> {
    if (typeof job.finishedOn !== "number" || wasAbortedWhileRunning(job) || hasExpired(job)) return;
    const hooks = [this.registry.get(job.name)?.options.onFailure, ...this.failureHooks];
    const failure = failedTask(job);
    for (const hook of hooks) {
      if (!hook) continue;
      try {
        await hook(failure);
      } catch (error) {
        tasksLog().error({ ...taskFields(job, job.attemptsMade), err: error }, `onFailure hook for ${job.name} (${job.id}) threw`);
      }
    }
  }

  private getDatastore(): Datastore {
    this.datastore ??= openDatastore(this.options.datastore ?? datastoreFromEnv());
    return this.datastore;
  }

  /** BullMQ's FlowProducer on the datastore, opened on the first flow. */
  private flowProducer(): Promise<TaskFlowProducer> {
    this.flows ??= forgetOnFailure(this.getDatastore().openFlowProducer(this.queueName), () => (this.flows = undefined));
    return this.flows;
  }

  /** The store of the tasks' concurrency and rate limits, opened on the first run that needs it. */
  private openLimitStore(): Promise<LimitStore> {
    this.limitStore ??= forgetOnFailure(this.getDatastore().openLimitStore(this.queueName, this.settings.concurrency), () => {
      this.limitStore = undefined;
    });
    return this.limitStore;
  }

  private handleSignals(): void {
    exitGracefullyOnSignals("tasks", async (signal) => {
      tasksLog().info(`${signal}: taking no new tasks; running ones get ${this.settings.shutdownGraceMs} ms to finish`);
      await this.close();
      // The process ends: its database pool too (and its hold on the embedded PostgreSQL).
      await closeDatabase();
    });
  }
}

/**
 * Whether `promise` settles (either way) within `ms`; one that does not is given up on,
 * its late failure ignored.
 */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const inTime = await Promise.race([settled, sleep(ms, false, { signal: timer.signal }).catch(() => false)]);
  timer.abort();
  return inTime;
}

/**
 * Something opened once and kept (a queue, a producer, a store): `opening`, whose failure
 * calls `forget` (dropping the kept promise) so that the next call opens it again.
 */
/**
 * A new lifetime signal. Every result() and read awaited at once listens to it, so it has
 * no listener cap: Node would warn of a leak past ten ("MaxListenersExceededWarning").
 */
function newLifetime(): AbortController {
  const lifetime = new AbortController();
  setMaxListeners(0, lifetime.signal);
  return lifetime;
}

function forgetOnFailure<T>(opening: Promise<T>, forget: () => void): Promise<T> {
  return opening.catch((error: unknown) => {
    forget();
    throw error;
  });
}

/**
 * One line per failed attempt, saying what happens next: a retry (and when), the end
 * (the task gave up), or an abort — which is no failure of the task's.
 */
function attemptEnd(job: TaskJob, error: Error): { level: "info" | "warn" | "error"; line: string; outcome: AttemptOutcome } {
  const task = `${job.name} (${job.id})`;
  if (error instanceof TaskAbortedError) return { level: "info", line: `${task} was aborted`, outcome: "aborted" };
  if (error instanceof TaskExpiredError) return { level: "warn", line: error.message, outcome: "expired" };
  const attempts = `attempt ${job.attemptsMade} of ${job.opts.attempts ?? 1}`;
  if (typeof job.finishedOn === "number")
    return { level: "error", line: `${task} failed (${attempts}), giving up: ${error.message}`, outcome: "failed" };
  const delay = job.opts.backoff && typeof job.opts.backoff === "object" ? job.opts.backoff.delay : undefined;
  const when = delay === undefined ? "" : ` in ${delay < 1000 ? `${delay} ms` : `${(delay / 1000).toFixed(1)} s`}`;
  return { level: "warn", line: `${task} failed (${attempts}): ${error.message}; retrying${when}`, outcome: "retried" };
}

/** How long the attempt that just ended ran, from its start (BullMQ's processedOn) to now. */
function ranFor(job: TaskJob): number | undefined {
  return job.processedOn === undefined ? undefined : Date.now() - job.processedOn;
}

/** Reads a cron declaration as BullMQ will (it uses cron-parser too), so a bad one fails where it is declared. */
function checkSchedule(name: string, pattern: string, tz: string): void {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
  } catch {
    throw new DeclarationError(`Task "${name}": time zone "${tz}" is not an IANA time zone (e.g. "UTC", "Europe/Paris").`);
  }
  try {
    CronExpressionParser.parse(pattern, { tz });
  } catch (error) {
    throw new DeclarationError(
      `Task "${name}": cron pattern "${pattern}" cannot be read (${describeError(error)}). ` +
        'Use 5 fields (minute hour day-of-month month day-of-week, e.g. "0 3 * * *"), or 6 with seconds first.',
    );
  }
}

function failedTask(job: TaskJob): FailedTask {
  return {
    id: job.id ?? "?",
    taskName: job.name,
    args: decodeArgs(job.data),
    error: errorInfoFromJob(job),
    attempts: job.attemptsMade,
    failedAt: job.finishedOn ? new Date(job.finishedOn) : undefined,
  };
}

export function createWorker(options?: TaskWorkerOptions): TaskWorker {
  return new TaskWorker(options);
}

/** The project's one worker. Register tasks on it; `pnpm worker:dev` runs it. Its outbox is the project's database. */
export const worker: TaskWorker = createWorker({ outbox: projectDb });
