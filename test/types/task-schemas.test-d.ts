// The types a schema gives a task (`worker.task(name, fn, { schema })`), checked by the
// compiler; the run-time side is test/conformance.test.ts ("validates payloads…").
import { createWorker, type TaskHandle } from "@repo/core/tasks";
import * as v from "valibot";
import { describe, expectTypeOf, it } from "vitest";
import { z } from "zod";

const worker = createWorker();

describe("a task with a schema", () => {
  it("takes its payload's type from the schema: the input at enqueue, the output in the task", async () => {
    const invoice = z.object({ customerId: z.string(), cents: z.number().int(), currency: z.string().default("EUR") });
    const sendInvoice = worker.task(
      "sendInvoice",
      async (payload) => {
        expectTypeOf(payload).toEqualTypeOf<{ customerId: string; cents: number; currency: string }>();
        return payload.cents;
      },
      { schema: invoice, retries: 2 },
    );
    expectTypeOf(sendInvoice.enqueue).parameters.toEqualTypeOf<
      [payload: { customerId: string; cents: number; currency?: string | undefined }]
    >();
    expectTypeOf(await sendInvoice.enqueue({ customerId: "c1", cents: 100 })).toEqualTypeOf<TaskHandle<number>>();
    // @ts-expect-error cents must be a number
    void sendInvoice.enqueue({ customerId: "c1", cents: "100" });
    // @ts-expect-error one payload, not two arguments
    void sendInvoice.enqueue({ customerId: "c1", cents: 1 }, 2);
  });

  it("works the same with another Standard Schema library (valibot)", async () => {
    const resize = worker.task("resize", async ({ url, width }) => `${url}?w=${width}`, {
      schema: v.object({ url: v.pipe(v.string(), v.url()), width: v.number() }),
    });
    expectTypeOf(resize.enqueue).parameters.toEqualTypeOf<[payload: { url: string; width: number }]>();
    // @ts-expect-error width is missing
    void resize.enqueue({ url: "https://example.com/a.png" });
    expectTypeOf(await resize({ url: "https://example.com/a.png", width: 10 })).toEqualTypeOf<string>();
  });
});
