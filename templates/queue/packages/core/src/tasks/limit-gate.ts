import { createBurstLog, describeError } from "@repo/core";
import { DelayedError, UnrecoverableError } from "bullmq";
import type { LimitRequest, LimitStore, TaskJob, TaskQueue } from "./datastore/index.js";
import type { TaskLimits } from "./limits.js";
import { tasksLog } from "./task-log.js";

/** A slot a run holds while it runs: renewed meanwhile, given back when it ends. */
export interface HeldSlot {
  readonly request: LimitRequest & { concurrency: { key: string; limit: number } };
}

export interface LimitGateOptions {
  store(): Promise<LimitStore>;
  tasks(): Promise<TaskQueue>;
  /** How long a slot lasts unrenewed: a worker that dies gives its slots up after this. */
  leaseMs: number;
}

/**
 * Where a run meets its task's `concurrency` and `rateLimit` (limits.ts), across every
 * worker process. A run over a limit is parked as a delayed job, so it holds no worker
 * slot and polls nothing: over the rate limit, until its turn (planned for it, so
 * runs waiting for one key wake one by one); over the concurrency limit, until a run
 * gives its slot back and hands it over, promoting the parked job at once. A lease in
 * case that hand-over is lost (a worker died) wakes it at the latest.
 */
export class LimitGate {
  private readonly held = new Set<HeldSlot>();
  private renewal: NodeJS.Timeout | undefined;
  private readonly logTrouble = createBurstLog((line) => tasksLog().warn(line));

  constructor(private readonly options: LimitGateOptions) {}

  /**
   * Lets the run go (resolving with the slot it holds, if the task limits concurrency),
   * or parks its job and throws BullMQ's DelayedError: the processor must rethrow it.
   */
  async admit(job: TaskJob, token: string | undefined, limits: TaskLimits, args: readonly unknown[]): Promise<HeldSlot | undefined> {
    const request = requestFor(job, limits, args, this.options.leaseMs);
    const store = await this.options.store();
    const admission = await store.admit(request, Date.now());
    if (admission.outcome === "run") {
      if (!request.concurrency) return undefined;
      const slot: HeldSlot = { request: request as HeldSlot["request"] };
      this.hold(slot);
      return slot;
    }
    if (admission.outcome === "later") {
      await job.moveToDelayed(Math.ceil(admission.wakeAt), token);
      await this.afterParking(() => this.wake(admission.granted, request));
    }
    // Waiting for a slot. Parked for a lease at most; a run giving its slot back hands it
    // over and promotes the job. Handed over before the job was parked (the promotion
    // found it still running here): it promotes itself.
    const concurrencyKey = request.concurrency!.key;
    await job.moveToDelayed(Date.now() + Math.round(this.options.leaseMs * (1 + Math.random() / 4)), token);
    await this.afterParking(async () => {
      // Promoted by the hand-over meanwhile: no longer delayed, nothing to do.
      if (!(await store.isWaiting(concurrencyKey, request.member))) await job.promote().catch(() => {});
    });
  }

  /**
   * The job is parked: this attempt is over whatever happens next. A wake-up that fails
   * here is left to the leases (a parked job wakes by itself at the latest then).
   */
  private async afterParking(then: () => Promise<void>): Promise<never> {
    await then().catch((error: unknown) => this.logTrouble(`could not wake a task waiting for a limit: ${describeError(error)}`));
    throw new DelayedError();
  }

  /** Gives the slot back and wakes the runs it was handed to. Never throws: a slot not given back ends with its lease. */
  async release(slot: HeldSlot): Promise<void> {
    this.held.delete(slot);
    if (this.held.size === 0) this.stopRenewing();
    try {
      const granted = await (await this.options.store()).release(slot.request, Date.now());
      await this.wake(granted, slot.request);
    } catch (error) {
      this.logTrouble(`could not give back a ${slot.request.concurrency.key} slot (${describeError(error)}); it frees when its lease ends`);
    }
  }

  /**
   * Promotes the parked jobs just handed a slot. One that is gone (aborted, removed) gives
   * its slot back at once, to the next in line; one still running here promotes itself.
   */
  private async wake(granted: readonly string[], request: LimitRequest): Promise<void> {
    if (granted.length === 0 || !request.concurrency) return;
    const queue = await this.options.tasks();
    await Promise.all(
      granted.map(async (id) => {
        const job = await queue.getJob(id);
        const state = job ? await job.getState() : "unknown";
        if (state === "delayed") await job!.promote().catch(() => {});
        else if (state === "completed" || state === "failed" || state === "unknown") {
          const next = await (await this.options.store()).release(
            { ...request, concurrency: request.concurrency!, member: id },
            Date.now(),
          );
          await this.wake(next, request);
        }
      }),
    );
  }

  private hold(slot: HeldSlot): void {
    this.held.add(slot);
    this.renewal ??= setInterval(() => void this.renew(), Math.max(100, Math.floor(this.options.leaseMs / 3))).unref();
  }

  private async renew(): Promise<void> {
    const slots = [...this.held].map(({ request }) => ({ key: request.concurrency.key, member: request.member }));
    try {
      await (await this.options.store()).renew(slots, this.options.leaseMs, Date.now());
    } catch (error) {
      this.logTrouble(`could not renew ${slots.length} concurrency slot(s): ${describeError(error)}`);
    }
  }

  private stopRenewing(): void {
    clearInterval(this.renewal);
    this.renewal = undefined;
  }
}

/** The limits a run counts against. A key function that throws fails the task for good: it would on every attempt. */
function requestFor(job: TaskJob, limits: TaskLimits, args: readonly unknown[], leaseMs: number): LimitRequest {
  const request: LimitRequest = { member: job.id ?? "?", leaseMs };
  try {
    if (limits.concurrency) request.concurrency = { key: limits.concurrency.keyOf(args), limit: limits.concurrency.limit };
    if (limits.rate) request.rate = { key: limits.rate.keyOf(args), limit: limits.rate.limit, period: limits.rate.period };
  } catch (error) {
    throw new UnrecoverableError(`the limit key of ${job.name} (${job.id}) could not be read: ${describeError(error)}`);
  }
  return request;
}
