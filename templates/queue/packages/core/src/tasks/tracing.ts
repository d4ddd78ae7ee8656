import { context, propagation, ROOT_CONTEXT, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import { isTracing } from "@repo/core";
import type { TaskJob, TaskJobData } from "./datastore/index.js";
import { TaskAbortedError, TaskReleasedError, TaskRunTimeoutError } from "./errors.js";

/*
 * A task's part of a trace (OpenTelemetry; on when the process called startTracing):
 * an "enqueue <task>" span where it is queued, whose context travels in the task's data
 * (W3C trace context), then in the worker that runs it a "wait <task>" span (from when it
 * was due to its first start) and a "run <task>" span per attempt, children of the
 * enqueue. The request that queued it is the enqueue's parent, so one trace crosses both
 * processes. With tracing off, nothing here does any work.
 */

const tracer = () => trace.getTracer("@repo/core/tasks");

const messaging = (queueName: string) => ({ "messaging.system": "bullmq", "messaging.destination.name": queueName });

/**
 * Runs `add` (one round trip that queues `jobs`) inside an "enqueue <task>" span, with
 * the span's context written into every job's data first. The queue's name is asked for
 * only then: with tracing off, an enqueue does not read it.
 */
export function tracedEnqueue<T>(
  name: string,
  queueName: () => string,
  jobs: readonly { data: TaskJobData; opts: { jobId: string } }[],
  add: () => Promise<T>,
): Promise<T> {
  if (!isTracing()) return add();
  const attributes = {
    ...messaging(queueName()),
    "messaging.operation.type": "send",
    "task.name": name,
    ...(jobs.length === 1 ? { "task.id": jobs[0]!.opts.jobId } : { "messaging.batch.message_count": jobs.length }),
  };
  return tracer().startActiveSpan(`enqueue ${name}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
    const carrier: Record<string, string> = {};
    propagation.inject(context.active(), carrier);
    for (const job of jobs) job.data.trace = carrier;
    try {
      return await add();
    } catch (error) {
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Runs one attempt of `job` inside a "run <task>" span (and, on its first start, after a "wait <task>" span). */
export function tracedRun<T>(job: TaskJob, queueName: string, attempt: number, run: () => Promise<T>): Promise<T> {
  if (!isTracing()) return run();
  const parent = propagation.extract(ROOT_CONTEXT, job.data.trace ?? {});
  const attributes = { ...messaging(queueName), "task.name": job.name, "task.id": job.id ?? "?" };
  const startedAt = Date.now();
  if (attempt === 1) {
    const dueAt = Math.min(startedAt, job.timestamp + (job.opts.delay ?? 0));
    tracer().startSpan(`wait ${job.name}`, { startTime: dueAt, attributes }, parent).end(startedAt);
  }
  const options = {
    kind: SpanKind.CONSUMER,
    startTime: startedAt,
    attributes: { ...attributes, "messaging.operation.type": "process", "task.attempt": attempt },
  };
  return tracer().startActiveSpan(`run ${job.name}`, options, parent, async (span) => {
    try {
      const result = await run();
      span.setAttribute("task.outcome", "completed");
      return result;
    } catch (error) {
      span.setAttribute("task.outcome", outcomeOf(error));
      recordFailure(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

function outcomeOf(error: unknown): string {
  if (error instanceof TaskAbortedError) return "aborted";
  if (error instanceof TaskRunTimeoutError) return "timed_out";
  if (error instanceof TaskReleasedError) return "handed_back";
  return "failed";
}

function recordFailure(span: Span, error: unknown): void {
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
}

/** The id of the trace a task was queued in (from the context in its data): for its log lines. */
export function traceIdOf(job: TaskJob): string | undefined {
  if (!job.data.trace) return undefined;
  return trace.getSpanContext(propagation.extract(ROOT_CONTEXT, job.data.trace))?.traceId;
}
