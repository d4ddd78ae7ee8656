// Tasks the conformance suite runs in worker processes (worker.ts), registered the
// same way a project registers its own. Each reports what happened to it as an
// event line on stdout, so the test sees inside the worker process.
import { setTimeout as sleep } from "node:timers/promises";
import type { TaskWorker } from "../../../templates/queue/packages/core/src/tasks/index.js";

export const EVENT_PREFIX = "@@conformance ";

export type ConformanceEvent =
  | { event: "ready"; label: string }
  | { event: "started"; label: string; id: string; name: string; attempt: number }
  | { event: "signal"; label: string; id: string; reason: string };

export function emit(event: ConformanceEvent): void {
  process.stdout.write(`${EVENT_PREFIX}${JSON.stringify(event)}\n`);
}

/**
 * - `cooperative(ms)`: runs up to `ms`, stops when its signal fires.
 * - `stubborn(ms)`: runs `ms` whatever its signal says (retries: 2, to show an
 *   aborted task is not retried).
 * Both report their start and their signal, and return the worker's label.
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
  return { cooperative, stubborn };
}
