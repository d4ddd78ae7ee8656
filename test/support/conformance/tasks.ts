// Tasks the conformance suite runs in worker processes (worker.ts), registered the
// same way a project registers its own. Each reports what happened to it as an
// event line on stdout, so the test sees inside the worker process.
import { setTimeout as sleep } from "node:timers/promises";
import type { TaskWorker } from "../../../templates/queue/packages/core/src/tasks/index.js";

export const EVENT_PREFIX = "@@conformance ";

export type ConformanceEvent =
  | { event: "ready"; label: string }
  | { event: "started"; label: string; id: string; name: string; attempt: number }
  | { event: "signal"; label: string; id: string; reason: string }
  | { event: "ran"; label: string; id: string; name: string; key: string; start: number; end: number };

export function emit(event: ConformanceEvent): void {
  process.stdout.write(`${EVENT_PREFIX}${JSON.stringify(event)}\n`);
}

/**
 * - `cooperative(ms)`: runs up to `ms`, stops when its signal fires.
 * - `stubborn(ms)`: runs `ms` whatever its signal says (retries: 2, to show an
 *   aborted task is not retried).
 * Both report their start and their signal, and return the worker's label.
 * - `perKey(key, ms)`: at most 2 at once per key; `exclusive(ms)`: 1 at once in all;
 *   `rated(key)`: at most 3 starts a second per key — across every worker process.
 *   Each reports when it ran (start to end, this machine's clock).
 */
export function registerConformanceTasks(worker: TaskWorker, label: string) {
  const started = () => {
    const { id, name, attempt, signal } = worker.current();
    emit({ event: "started", label, id, name, attempt });
    signal.addEventListener("abort", () => emit({ event: "signal", label, id, reason: (signal.reason as Error).name }), {
      once: true,
    });
    return signal;
  };
  const cooperative = worker.task("cooperative", async (ms: number) => {
    const signal = started();
    await sleep(ms, undefined, { signal });
    return { label };
  });
  const stubborn = worker.task(
    "stubborn",
    async (ms: number) => {
      started();
      await sleep(ms);
      return { label };
    },
    { retries: 2, backoff: { delay: 10 } },
  );
  const span = async (key: string, ms: number) => {
    const { id, name } = worker.current();
    const start = Date.now();
    const signal = started();
    await sleep(ms, undefined, { signal });
    emit({ event: "ran", label, id, name, key, start, end: Date.now() });
    return { label };
  };
  const perKey = worker.task("perKey", span, { concurrency: { limit: 2, key: (key) => key } });
  const exclusive = worker.task("exclusive", (ms: number) => span("", ms), { concurrency: 1 });
  const rated = worker.task("rated", (key: string) => span(key, 0), { rateLimit: { limit: 3, period: 1_000, key: (key) => key } });
  return { cooperative, stubborn, perKey, exclusive, rated };
}
