// What the types say about a task's limits: a limit's key receives the task's own
// arguments (or a schema task's payload) and returns a string or a number. The
// run-time side is test/conformance.test.ts ("per-key concurrency holds…").
import { createWorker } from "@repo/core/tasks";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";

const worker = createWorker();

describe("limit keys", () => {
  it("receive the task's arguments, typed", () => {
    worker.task("sync", async (customerId: string, full: boolean) => (full ? customerId : ""), {
      concurrency: {
        limit: 2,
        key: (customerId, full) => {
          expectTypeOf(customerId).toEqualTypeOf<string>();
          expectTypeOf(full).toEqualTypeOf<boolean>();
          return customerId;
        },
      },
      rateLimit: { limit: 10, period: 60_000, key: (customerId) => customerId.length },
    });
  });

  it("receive a schema task's payload as queued", () => {
    const order = z.object({ shopId: z.string(), cents: z.number().int() });
    worker.task("charge", async ({ cents }) => cents, {
      schema: order,
      concurrency: { limit: 1, key: (payload) => payload.shopId },
    });
  });

  it("must return a string or a number, and a rate limit needs its period", () => {
    // @ts-expect-error a key is a string or a number, not an object
    worker.task("report", async (day: string) => day, { concurrency: { limit: 1, key: (day) => ({ day }) } });
    // @ts-expect-error period is required
    worker.task("ping", async () => 0, { rateLimit: { limit: 3 } });
    // @ts-expect-error the key receives the task's arguments: a string here, not a number
    worker.task("greet", async (name: string) => name, { concurrency: { limit: 1, key: (name: number) => name } });
  });
});
