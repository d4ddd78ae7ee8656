import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createWorker, TaskEnqueueError, type TaskHandle } from "@repo/core/tasks";
import { captureLog } from "./support/captured-log.js";
import { startThrowawaySentinel, type ThrowawaySentinel } from "./support/operations/redis-cluster.js";
import { redisServerBinary } from "./support/operations/redis-server.js";
import { missing } from "./support/services.js";
import { eventually } from "./support/waiting.js";

/**
 * The queue on `REDIS_URL=redis+sentinel://…/mymaster`: a primary, a replica and a
 * Sentinel, started here. The primary is killed (SIGKILL) while tasks are being queued
 * and run; the Sentinel promotes the replica, the producer and the worker move to it by
 * themselves, and every task whose enqueue succeeded runs. (An enqueue while there is no
 * primary fails with a TaskEnqueueError, as with Redis down: the caller knows.)
 */
const skip = missing("redis-server (to start a primary, a replica and a Sentinel)", redisServerBinary());

describe.skipIf(skip)("the queue on Redis through Sentinel", () => {
  let sentinel: ThrowawaySentinel;

  beforeAll(async () => {
    sentinel = await startThrowawaySentinel();
  }, 60_000);
  afterAll(() => sentinel?.stop());

  it("the primary killed mid-run: the replica is promoted, producer and worker follow it, and every task queued runs", async () => {
    const { lines: logged } = captureLog();
    const worker = createWorker({
      queueName: `sentinel-${Date.now().toString(36)}`,
      datastore: { kind: "redis", url: sentinel.url },
      stalledIntervalMs: 1_000,
      shutdownGraceMs: 2_000,
    });
    onTestFinished(() => worker.close());
    const ran = new Set<number>();
    const record = worker.task("record", async (n: number) => {
      ran.add(n);
      return n;
    });
    await worker.run({ handleSignals: false });
    expect(await sentinel.primaryPort()).toBe(sentinel.primary.port);

    const queued: { n: number; handle: TaskHandle<number> }[] = [];
    const refusals: unknown[] = [];
    let producing = true;
    const producer = (async () => {
      for (let n = 0; producing; n++) {
        try {
          queued.push({ n, handle: await record.enqueue(n) });
        } catch (error) {
          refusals.push(error);
        }
        await sleep(20);
      }
    })();

    await sleep(2_000);
    const queuedBefore = queued.length;
    await sentinel.primary.stop("SIGKILL");
    await eventually("the Sentinel to promote the replica", async () => (await sentinel.primaryPort()) === sentinel.replica.port, 30_000);
    const queuedAtPromotion = queued.length;
    // Queued through the new primary: the producer found it by itself.
    await eventually("tasks to be queued on the new primary", () => queued.length >= queuedAtPromotion + 20, 30_000);
    producing = false;
    await producer;

    await eventually("every queued task to run", () => queued.every(({ n }) => ran.has(n)), 60_000);
    for (const { n, handle } of queued.slice(-5)) expect(await handle.result({ timeout: 10_000 })).toEqual({ success: true, value: n });
    expect(queuedBefore).toBeGreaterThan(20);
    expect(refusals.every((error) => error instanceof TaskEnqueueError)).toBe(true);
    expect(logged.filter((line) => /Lost the connection to Redis/.test(line)).length).toBeLessThanOrEqual(1);
    console.log(
      `[sentinel] ${queued.length} tasks queued (${queuedBefore} before the primary was killed), ${refusals.length} enqueues refused during the failover; all ran`,
    );
  });
});
