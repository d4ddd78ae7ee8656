import { AsyncLocalStorage } from "node:async_hooks";
import { addLogContext } from "@repo/core";
import { tasksLog } from "./task-log.js";

/** The task being run, as seen from inside it (`worker.current()`). */
export interface CurrentTask {
  /** The task's id; `direct:<uuid>` when the task function was called directly. */
  readonly id: string;
  readonly name: string;
  /** 1 on the first run, 2 on the first retry, … (1 for direct calls). */
  readonly attempt: number;
  /** Fires when the task is aborted, times out, or its worker shuts down and hands it back. */
  readonly signal: AbortSignal;
  /**
   * Reports how far the task is (a number, e.g. a percentage, or any JSON data), kept with
   * the task: `handle.progress()` reads it from any process, and the dashboard shows it.
   * Nothing is kept for a direct call.
   */
  progress(value: TaskProgress): Promise<void>;
  /**
   * Adds a line to the task's log, kept with the task (`handle.logs()`, the dashboard), and
   * writes it to the process's log too. Not kept for a direct call. (Any line written
   * inside a task, with any logger from `@repo/core`, carries the task's name, id and attempt.)
   */
  log(line: string): Promise<void>;
}

/** What a task reports with `progress()`: a number, or JSON data. */
export type TaskProgress = number | string | boolean | object;

/** What `worker.current()` is inside a task called directly, outside the queue: nowhere to report to. */
export function directCall(name: string, id: string): CurrentTask {
  return {
    id,
    name,
    attempt: 1,
    signal: new AbortController().signal,
    progress: async () => {},
    log: async (line) => tasksLog().info(line),
  };
}

// AsyncLocalStorage follows the task through every await, so helpers deep in a
// task reach its signal without it being threaded through the arguments.
const storage = new AsyncLocalStorage<CurrentTask>();

// Every line written inside a task names it: one store lookup per line, nothing per run.
addLogContext(() => {
  const task = storage.getStore();
  return task && { task: task.name, taskId: task.id, attempt: task.attempt };
});

export function runAsCurrent<T>(task: CurrentTask, fn: () => T): T {
  return storage.run(task, fn);
}

export function currentTask(): CurrentTask {
  const task = storage.getStore();
  if (!task) throw new Error("worker.current() was called outside a running task");
  return task;
}
