import { randomUUID } from "node:crypto";
import { describeError } from "@repo/core";
import type { StandardSchemaV1 } from "@standard-schema/spec";
import type { JobsOptions } from "bullmq";
import type { TaskFlowProducer, TaskJobData, TaskQueue } from "./datastore/index.js";
import { type EnqueueOptions, jobOptionsFor, NO_OPTIONS } from "./enqueue-options.js";
import { TaskEnqueueError } from "./errors.js";
import { type Outbox, type OutboxEntry, type Transaction, writeToOutbox } from "./outbox.js";
import { encodeArgs } from "./payload.js";
import type { AfterOptions, TaskOptions, TaskStep } from "./task.js";
import { tracedEnqueue } from "./tracing.js";
import { withinDeadline } from "./deadline.js";
import { validatePayload } from "./validation.js";

/** What enqueueing needs to know of a declared task. */
export interface EnqueueableTask {
  readonly options: TaskOptions;
  readonly schema?: StandardSchemaV1;
  /** Its BullMQ job options, built on the first enqueue (the settings are read then). */
  jobOptions?: JobsOptions;
}

export interface EnqueuerOptions {
  /** Read at each enqueue, as the worker reads its settings on first use. */
  queueName(): string;
  /** The task declared under this name in this process, if any (a producer may enqueue others by name). */
  lookup(name: string): EnqueueableTask | undefined;
  /** BullMQ's job options for a task's declared options (retries, retention). */
  jobOptions(options: TaskOptions): JobsOptions;
  tasks(): Promise<TaskQueue>;
  flows(): Promise<TaskFlowProducer>;
  /** The database holding the task outbox, for `with({ transaction })`. */
  outbox: Outbox | undefined;
  /** How long a caller may wait for the datastore (TASKS_ENQUEUE_TIMEOUT_MS). */
  timeoutMs(): number;
  /** Called once runs of task `name` are queued: how many (metrics). */
  enqueued(name: string, count: number): void;
}

type PreparedJob = { name: string; data: TaskJobData; opts: JobsOptions & { jobId: string } };

/**
 * Every way a task gets into the queue: one run, a batch, a flow, a transaction's outbox
 * entry. Each checks and encodes every run first, so nothing is queued unless all pass,
 * then goes in one round trip, and never waits on a datastore that is down for longer
 * than the enqueue timeout.
 */
export class Enqueuer {
  constructor(private readonly options: EnqueuerOptions) {}

  /**
   * Queues runs of task `name`, one per argument list; resolves with their ids (add,
   * addBulk, or one INSERT into the outbox). The payload as given is queued, not the
   * schema's output: the run checks it again.
   */
  runs(name: string, opts: EnqueueOptions, argsList: readonly (readonly unknown[])[], batch: boolean): Promise<string[]> {
    // Not an async function, and no await: a plain enqueue is enqueue's hot path, and each
    // promise it goes through is one more object held per task until the datastore answers.
    // Whatever fails on the way (an invalid argument, a wrong setting) still rejects, never throws.
    try {
      if (batch && opts.id !== undefined) throw new TypeError(`Task "${name}": enqueueMany takes no id (an id names one task)`);
      const prepared = this.prepare(name, opts, argsList, (index) => (batch ? `item ${index + 1} of ${argsList.length}` : undefined));
      // Only a schema's check can be asynchronous: without one, no promise to wait for.
      if (!Array.isArray(prepared)) return prepared.then((jobs) => this.queue(name, jobs, opts.transaction));
      return this.queue(name, prepared, opts.transaction);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Queues prepared jobs (traced, within the enqueue timeout); resolves with their ids once they are in. */
  private queue(name: string, jobs: PreparedJob[], transaction: Transaction | undefined): Promise<string[]> {
    if (jobs.length === 0) return Promise.resolve([]);
    return tracedEnqueue(
      name,
      () => this.options.queueName(),
      jobs,
      () => this.send(name, jobs, transaction),
    );
  }

  /** Sends prepared jobs in one round trip (or one INSERT into the outbox); resolves with their ids, counted as enqueued. */
  private send(name: string, jobs: PreparedJob[], transaction: Transaction | undefined): Promise<string[]> {
    const queued = (ids: string[]) => {
      this.options.enqueued(name, ids.length);
      return ids;
    };
    if (transaction) return this.inTransaction(jobs, transaction).then(() => queued(jobs.map((job) => job.opts.jobId)));
    // The ids BullMQ answers with: a key or an id already held gives the task that holds it.
    const [first] = jobs;
    if (jobs.length === 1 && first) {
      return this.onQueue(name, (tasks) => tasks.add(name, first.data, first.opts)).then((job) => queued([job.id ?? first.opts.jobId]));
    }
    return this.onQueue(name, (tasks) => tasks.addBulk(jobs)).then((added) =>
      queued(added.map((job, index) => job.id ?? jobs[index]!.opts.jobId)),
    );
  }

  /**
   * Queues a flow: the steps (children, in one round trip with their parent), then the
   * parent task `name` once they have all ended, receiving their results in order as its
   * first argument. A failed step fails the parent, or with "continue" leaves `undefined`.
   */
  async flow(name: string, steps: readonly TaskStep<unknown>[], after: AfterOptions, args: unknown[]): Promise<string> {
    if (steps.length === 0) throw new TypeError(`Task "${name}": after() needs at least one step`);
    if (this.options.lookup(name)?.schema) {
      throw new TypeError(
        `Task "${name}" takes one payload, checked by its schema: it cannot run after steps (give the steps to a task without a schema)`,
      );
    }
    const queueName = this.options.queueName();
    const continueOnFailure = after.onChildFailure === "continue";
    const children = await Promise.all(
      steps.map(async (step, index) => {
        const [job] = await this.prepare(step.taskName, NO_OPTIONS, [step.args], () => `step ${index + 1} of ${steps.length}`);
        const opts = {
          ...job!.opts,
          jobId: step.id,
          ...(continueOnFailure ? { ignoreDependencyOnFailure: true } : { failParentOnFailure: true }),
        };
        return { name: step.taskName, queueName, data: job!.data, opts };
      }),
    );
    const [prepared] = await this.prepare(name, NO_OPTIONS, [args], () => undefined);
    const parent = { ...prepared!, data: { ...prepared!.data, after: steps.map((step) => step.id) } };
    await tracedEnqueue(
      name,
      () => queueName,
      [parent, ...children],
      () =>
        this.withinTimeout(name, async () =>
          (await this.options.flows()).add({ name, queueName, data: parent.data, opts: parent.opts, children }),
        ),
    );
    for (const job of [parent, ...children]) this.options.enqueued(job.name, 1);
    return parent.opts.jobId;
  }

  /** Hands an outbox entry to the queue, with its task's options (or defaults, for a task this process does not know). */
  async fromOutbox({ id, taskName, data, runAt, priority }: OutboxEntry): Promise<void> {
    const jobOptions: JobsOptions = { ...this.options.jobOptions(this.options.lookup(taskName)?.options ?? {}), jobId: id };
    if (runAt !== undefined) jobOptions.delay = Math.max(0, runAt - Date.now());
    if (priority !== undefined) jobOptions.priority = priority;
    await this.onQueue(taskName, (tasks) => tasks.add(taskName, data, jobOptions));
  }

  /**
   * Every run checked and encoded, with its job options and a fresh id: nothing is queued
   * unless all pass. `item(index)` names a run for messages (a batch's item, a flow's step).
   */
  private prepare(
    name: string,
    opts: EnqueueOptions,
    argsList: readonly (readonly unknown[])[],
    item: (index: number) => string | undefined,
  ): PreparedJob[] | Promise<PreparedJob[]> {
    const declared = this.options.lookup(name);
    const schema = declared?.schema;
    if (schema) {
      return Promise.all(argsList.map((args, index) => validatePayload(name, schema, args[0], "enqueue", item(index)))).then(() =>
        this.build(name, declared, opts, argsList, item),
      );
    }
    return this.build(name, declared, opts, argsList, item);
  }

  private build(
    name: string,
    declared: EnqueueableTask | undefined,
    opts: EnqueueOptions,
    argsList: readonly (readonly unknown[])[],
    item: (index: number) => string | undefined,
  ): PreparedJob[] {
    if (declared) declared.jobOptions ??= this.options.jobOptions(declared.options);
    const defaults = declared?.jobOptions ?? this.options.jobOptions({});
    // No options (a plain enqueue): nothing to check, and the task's defaults serve as they are.
    const { jobOptions: requested, expiresAt } = opts === NO_OPTIONS ? {} : jobOptionsFor(name, opts);
    const jobOptions: JobsOptions = requested ? { ...defaults, ...requested } : defaults;
    return argsList.map((args, index) => {
      const data = encodeArgs(name, args, item(index));
      if (expiresAt !== undefined) data.expiresAt = expiresAt;
      // A random id (122 bits) unless the caller names the task: BullMQ's own ids count
      // 1, 2, 3…, and whoever could guess an id could read the task's result.
      return { name, data, opts: { ...jobOptions, jobId: jobOptions.jobId ?? randomUUID() } };
    });
  }

  /** Writes tasks to the outbox in the caller's transaction, in one statement. */
  private async inTransaction(jobs: PreparedJob[], transaction: Transaction): Promise<void> {
    const [first] = jobs;
    if (!first) return;
    if (!this.options.outbox)
      throw new TypeError(
        `Task "${first.name}": enqueue in a transaction needs a worker with an outbox database (createWorker({ outbox: db }))`,
      );
    const now = Date.now();
    const entries = jobs.map(
      ({ name, data, opts }): OutboxEntry => ({
        id: opts.jobId,
        taskName: name,
        data,
        ...(opts.delay ? { runAt: now + opts.delay } : {}),
        ...(opts.priority ? { priority: opts.priority } : {}),
      }),
    );
    await writeToOutbox(transaction, this.options.queueName(), entries);
  }

  /** Runs `add` on the task queue, opening it first if need be, within the enqueue timeout. */
  private onQueue<T>(name: string, add: (tasks: TaskQueue) => Promise<T>): Promise<T> {
    return this.withinTimeout(name, () => this.options.tasks().then(add));
  }

  /**
   * Runs `add` within the enqueue timeout, so a caller (a request) never waits on a
   * datastore that is down.
   */
  private withinTimeout<T>(name: string, add: () => Promise<T>): Promise<T> {
    const ms = this.options.timeoutMs();
    return withinDeadline(add, {
      ms,
      timedOut: () => new TaskEnqueueError(name, `the task datastore did not answer within ${ms} ms`),
      failed: (error) => (error instanceof TaskEnqueueError ? error : new TaskEnqueueError(name, describeError(error), { cause: error })),
    });
  }
}
