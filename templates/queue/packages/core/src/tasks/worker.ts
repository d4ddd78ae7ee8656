import { stopEmbeddedPostgres } from "@repo/core";
import { UnrecoverableError } from "bullmq";
import { openContext, type ContextOptions, type Lifespan, type TaskContext } from "./context.js";
import {
  createEngine,
  engineFromEnv,
  type Engine,
  type EngineConfig,
  type EngineQueue,
  type EngineWorker,
  type TaskJob,
  type TaskJobData,
} from "./engine.js";
import { TaskHandle, type HandleQueues } from "./task-handle.js";

export interface EnqueueOptions {
  /** Run no earlier than this many milliseconds from now (status "scheduled" until then). */
  delay?: number;
  /** Total tries, with exponential backoff from 1 s between them. Default: the task's, else 1. */
  attempts?: number;
  /** Lower runs first (BullMQ priority). */
  priority?: number;
  /** A custom id: enqueueing twice with the same id queues the task once. */
  id?: string;
}

export interface TaskOptions {
  /** Default total tries for this task (default 1: no retry). */
  attempts?: number;
}

/** A registered task: callable directly (runs in-process), or queued with `enqueue`. */
export interface Task<A extends unknown[], R> {
  (...args: A): Promise<R>;
  readonly taskName: string;
  enqueue(...args: A): Promise<TaskHandle<R>>;
  enqueueWith(options: EnqueueOptions, ...args: A): Promise<TaskHandle<R>>;
  /** Rebuilds the handle of a task queued earlier, e.g. from an id stored in the database. */
  handle(id: string): TaskHandle<R>;
}

export interface TaskWorkerOptions {
  /** Queue name; default env TASKS_QUEUE, else "tasks". */
  queueName?: string;
  /** Datastore; default from env (REDIS_URL, else DATABASE_URL, else the embedded database). */
  engine?: EngineConfig;
  /** Tasks run at once per worker process; default env TASKS_CONCURRENCY, else 5. */
  concurrency?: number;
  context?: ContextOptions;
}

export interface RunOptions {
  /** Close gracefully and exit on SIGINT/SIGTERM (default true; pass false when embedding). */
  handleSignals?: boolean;
}

// Results are kept so `result()` works after the fact; then BullMQ drops them.
const KEEP_COMPLETED = { age: 24 * 3600 };
const KEEP_FAILED = { age: 7 * 24 * 3600 };

type AnyTaskFn = (...args: unknown[]) => unknown;

/**
 * The task runtime of the project: a registry of tasks, the queue they go through,
 * and the consumer that runs them. Everything connects lazily, on first use.
 */
export class TaskWorker {
  private readonly registry = new Map<string, AnyTaskFn>();
  private engine: Engine | undefined;
  private taskQueue: Promise<EngineQueue> | undefined;
  private markerQueue: Promise<EngineQueue> | undefined;
  private consumer: EngineWorker | undefined;
  private lifespan: Lifespan | undefined;
  private readonly queues: HandleQueues = {
    tasks: () => (this.taskQueue ??= this.open((engine) => engine.openQueue(this.queueName))),
    abortMarkers: () => (this.markerQueue ??= this.open((engine) => engine.openQueue(`${this.queueName}-aborted`))),
  };

  constructor(private readonly options: TaskWorkerOptions = {}) {}

  get queueName(): string {
    return this.options.queueName ?? (process.env.TASKS_QUEUE?.trim() || "tasks");
  }

  get taskNames(): string[] {
    return [...this.registry.keys()];
  }

  /** Shared resources (HTTP client, database) for task bodies. */
  get context(): TaskContext {
    this.lifespan ??= openContext(this.options.context);
    return this.lifespan.context;
  }

  task<A extends unknown[], R>(name: string, fn: (...args: A) => R | Promise<R>, options: TaskOptions = {}): Task<A, Awaited<R>> {
    if (this.registry.has(name)) throw new Error(`Task "${name}" is registered twice; task names must be unique.`);
    this.registry.set(name, fn as AnyTaskFn);
    const enqueueWith = async (opts: EnqueueOptions, ...args: A): Promise<TaskHandle<Awaited<R>>> => {
      const queue = await this.queues.tasks();
      const data: TaskJobData = { args };
      const attempts = opts.attempts ?? options.attempts ?? 1;
      const job = await queue.add(name, data, {
        jobId: opts.id,
        delay: opts.delay,
        priority: opts.priority,
        attempts,
        backoff: { type: "exponential", delay: 1_000 },
        removeOnComplete: KEEP_COMPLETED,
        removeOnFail: KEEP_FAILED,
      });
      if (!job.id) throw new Error(`The queue returned no id for task ${name}`);
      return new TaskHandle<Awaited<R>>(job.id, name, this.queues);
    };
    const call = async (...args: A): Promise<Awaited<R>> => await fn(...args);
    return Object.assign(call, {
      taskName: name,
      enqueue: (...args: A) => enqueueWith({}, ...args),
      enqueueWith,
      handle: (id: string) => new TaskHandle<Awaited<R>>(id, name, this.queues),
    });
  }

  /**
   * Starts consuming the queue in this process; resolves once the consumer is
   * connected. With `handleSignals` (the default) SIGINT/SIGTERM let running tasks
   * finish, close everything and exit 0; a second signal exits at once.
   */
  async run({ handleSignals = true }: RunOptions = {}): Promise<void> {
    if (this.consumer) throw new Error("worker.run() was already called");
    const engine = this.getEngine();
    const concurrency = this.options.concurrency ?? (Number(process.env.TASKS_CONCURRENCY) || 5);
    const consumer = await engine.openWorker(this.queueName, (job) => this.process(job), { concurrency });
    this.consumer = consumer;
    consumer.on("failed", (job, error) => console.error(`[tasks] ${job?.name ?? "?"} (${job?.id ?? "?"}) failed: ${error.message}`));
    consumer.on("error", (error) => console.error(`[tasks] worker error: ${error.message}`));
    if (handleSignals) this.handleSignals();
    await consumer.waitUntilReady();
    console.log(
      `[tasks] worker ready: queue "${this.queueName}" on ${engine.kind}, tasks: ${this.taskNames.join(", ") || "(none registered)"}`,
    );
  }

  /** Stops consuming (waiting for running tasks), closes the queues, the context and the database. */
  async close(): Promise<void> {
    const consumer = this.consumer;
    this.consumer = undefined;
    await consumer?.close();
    const queues = [this.taskQueue, this.markerQueue];
    this.taskQueue = this.markerQueue = undefined;
    await Promise.all(queues.map(async (queue) => (await queue?.catch(() => undefined))?.close()));
    await this.engine?.close();
    this.engine = undefined;
    const lifespan = this.lifespan;
    this.lifespan = undefined;
    await lifespan?.close();
    await stopEmbeddedPostgres();
  }

  private async process(job: TaskJob): Promise<unknown> {
    const fn = this.registry.get(job.name);
    if (!fn) {
      throw new UnrecoverableError(
        `Task "${job.name}" is not registered in this worker process. ` +
          `Import its module at the bottom of packages/app/src/tasks/worker.ts.`,
      );
    }
    return await fn(...(job.data.args ?? []));
  }

  private getEngine(): Engine {
    this.engine ??= createEngine(this.options.engine ?? engineFromEnv());
    return this.engine;
  }

  private open(openQueue: (engine: Engine) => Promise<EngineQueue>): Promise<EngineQueue> {
    return openQueue(this.getEngine());
  }

  private handleSignals(): void {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`[tasks] ${signal} again: exiting without waiting`);
        process.exit(1);
      }
      stopping = true;
      console.log(`[tasks] ${signal}: finishing running tasks, then exiting`);
      this.close().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("[tasks] error while closing:", error);
          process.exit(1);
        },
      );
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  }
}

export function createWorker(options?: TaskWorkerOptions): TaskWorker {
  return new TaskWorker(options);
}

/** The project's one worker. Register tasks on it; `pnpm worker:dev` runs it. */
export const worker: TaskWorker = createWorker();
