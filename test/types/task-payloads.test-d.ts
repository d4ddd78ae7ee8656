// What the types of a task say about its arguments and its result, checked by the
// compiler (`vitest --typecheck`): the run-time side is test/conformance.test.ts
// ("round-trips Date, Map, Set, BigInt…"). An unused @ts-expect-error fails too.
import { createWorker, type TaskHandle } from "@repo/core/tasks";
import { describe, expectTypeOf, it } from "vitest";

const worker = createWorker();

class Money {
  constructor(
    readonly cents: number,
    readonly currency: string,
  ) {}
  format(): string {
    return `${this.cents / 100} ${this.currency}`;
  }
}

describe("task arguments", () => {
  it("accepts what comes back as itself: JSON, Date, Map, Set, BigInt, undefined", () => {
    const book = worker.task("book", async (at: Date, seats: Map<string, number>, tags: Set<string>, total: bigint, note?: string) => {
      return { at, seats, tags, total, note };
    });
    expectTypeOf(book.enqueue).parameters.toEqualTypeOf<[Date, Map<string, number>, Set<string>, bigint, (string | undefined)?]>();
    void book.enqueue(new Date(), new Map([["a1", 2]]), new Set(["vip"]), 10n);
  });

  it("refuses what would not: functions, class instances with methods, symbols", () => {
    const withCallback = worker.task("withCallback", async (done: () => void) => done());
    // @ts-expect-error a function cannot cross the queue
    void withCallback.enqueue(() => {});
    const charge = worker.task("charge", async (amount: Money) => amount.format());
    // @ts-expect-error a class instance comes back without its methods
    void charge.enqueue(new Money(100, "EUR"));
    const tagged = worker.task("tagged", async (key: symbol) => String(key));
    // @ts-expect-error a symbol cannot cross the queue
    void tagged.enqueue(Symbol("k"));
    // Called directly, in the same process, a task still takes them.
    void charge(new Money(100, "EUR"));
  });

  it("keeps checking ordinary mistakes", () => {
    const greet = worker.task("greet", async (name: string, times: number) => `${name} ×${times}`);
    // @ts-expect-error a number where a string is expected
    void greet.enqueue(1, 2);
    // @ts-expect-error an argument missing
    void greet.enqueue("Ada");
    void greet.with({ delay: 1_000 }).enqueue("Ada", 2);
  });
});

describe("task results", () => {
  it("are typed as what comes back", async () => {
    const report = worker.task("report", async () => ({
      at: new Date(),
      byDay: new Map<string, number>(),
      total: 1n,
      price: new Money(250, "EUR"),
      describe: () => "a function is not data",
      missing: undefined as string | undefined,
    }));
    const handle = await report.enqueue();
    expectTypeOf(handle).toEqualTypeOf<
      TaskHandle<{
        at: Date;
        byDay: Map<string, number>;
        total: bigint;
        price: { readonly cents: number; readonly currency: string };
        missing: string | undefined;
      }>
    >();
    const outcome = await handle.result();
    if (outcome.success) {
      expectTypeOf(outcome.value.at).toEqualTypeOf<Date>();
      // @ts-expect-error the method stayed behind in the worker
      void outcome.value.price.format();
      // @ts-expect-error so did the function
      void outcome.value.describe;
    }
    // The task called directly returns its own value, methods and all.
    expectTypeOf(await report()).toHaveProperty("describe");
  });

  it("of a task returning nothing, or any: undefined, and any", async () => {
    const quiet = worker.task("quiet", async () => {});
    expectTypeOf(await quiet.enqueue()).toEqualTypeOf<TaskHandle<undefined>>();
    // biome-ignore lint/suspicious/noExplicitAny: what an untyped task returns
    const loose = worker.task("loose", async (input: any) => input);
    // biome-ignore lint/suspicious/noExplicitAny: the same
    expectTypeOf(await loose.enqueue(1)).toEqualTypeOf<TaskHandle<any>>();
    expectTypeOf(worker.handle("id")).toEqualTypeOf<TaskHandle<unknown>>();
  });
});

describe("enqueueMany", () => {
  it("takes a list of argument lists, checked like enqueue's, and gives typed handles", async () => {
    const remind = worker.task("remind", async (userId: string, at: Date) => ({ userId, at }));
    expectTypeOf(await remind.enqueueMany([["u1", new Date()]])).toEqualTypeOf<TaskHandle<{ userId: string; at: Date }>[]>();
    // @ts-expect-error each item is an argument list, not an argument
    void remind.enqueueMany(["u1"]);
    // @ts-expect-error the second argument must be a Date
    void remind.with({ delay: 1_000 }).enqueueMany([["u1", "tomorrow"]]);
  });
});

describe("by name, progress, info", () => {
  it("an untyped handle for a task enqueued by name; progress and info as declared", async () => {
    const handle = await worker.enqueue("sendWelcomeEmail", ["u1"], { delay: 1_000 });
    expectTypeOf(handle).toEqualTypeOf<TaskHandle<unknown>>();
    // @ts-expect-error the arguments are a list
    void worker.enqueue("sendWelcomeEmail", "u1");
    expectTypeOf(await handle.progress()).toEqualTypeOf<number | string | boolean | object | undefined>();
    expectTypeOf(await handle.logs()).toEqualTypeOf<string[]>();
    const info = await handle.info();
    expectTypeOf(info?.status).toEqualTypeOf<
      "queued" | "scheduled" | "running" | "completed" | "failed" | "aborted" | "expired" | "not_found" | undefined
    >();
    expectTypeOf(info?.startedAt).toEqualTypeOf<Date | undefined>();
  });
});

describe("flows", () => {
  it("hand the steps' results to the task after them, typed, in order", async () => {
    const fetchPage = worker.task("fetchPage", async (url: string) => ({ url, bytes: 1 }));
    const countWords = worker.task("countWords", async (text: string) => text.length);
    const summarize = worker.task(
      "summarize",
      async (pages: { url: string; bytes: number }[], title: string) => `${title}: ${pages.length}`,
    );
    const step = fetchPage.step("https://example.com");
    expectTypeOf(step.handle).toEqualTypeOf<TaskHandle<{ url: string; bytes: number }>>();
    expectTypeOf(await summarize.after([step, fetchPage.step("b")]).enqueue("digest")).toEqualTypeOf<TaskHandle<string>>();
    // @ts-expect-error a number result where pages are expected
    void summarize.after([countWords.step("text")]).enqueue("digest");
    // @ts-expect-error the title is still required
    void summarize.after([step]).enqueue();
    const report = worker.task("report", async ([words]: [number | undefined]) => words ?? 0);
    // With "continue", a failed step leaves undefined: the task must accept it.
    void report.after([countWords.step("text")], { onChildFailure: "continue" }).enqueue();
    const strictReport = worker.task("strictReport", async ([words]: [number]) => words);
    // @ts-expect-error undefined may come for a failed step
    void strictReport.after([countWords.step("text")], { onChildFailure: "continue" }).enqueue();
  });
});
