import { SettingError } from "@repo/core";

/**
 * Worker settings, from `createWorker({...})` options, else the environment, else
 * defaults chosen for production. All durations in milliseconds.
 */
export interface RuntimeSettings {
  /** Tasks one worker process runs at once (TASKS_CONCURRENCY, default 5). */
  concurrency: number;
  /**
   * On SIGTERM/SIGINT, how long running tasks may finish before they are handed back
   * (TASKS_SHUTDOWN_GRACE_MS; default 25 000 in production, 3 000 otherwise — `tsx watch`
   * kills a process 5 s after asking it to stop, so a reload hands running tasks back).
   */
  shutdownGraceMs: number;
  /**
   * How often workers look for tasks whose worker died (TASKS_STALLED_INTERVAL_MS,
   * default 10 000). A running task's lock lasts twice this, renewed every half of
   * it; a task whose worker was killed runs again within about 3× this interval.
   */
  stalledIntervalMs: number;
  /** How often a worker checks whether its long-running tasks were aborted (TASKS_ABORT_POLL_MS, default 1 000). */
  abortPollMs: number;
  /** How long results of completed tasks are kept (TASKS_KEEP_RESULTS_MS, default 24 h). */
  keepResultsMs: number;
  /** How long failed (and aborted) tasks and their errors are kept (TASKS_KEEP_FAILED_MS, default 7 days). */
  keepFailedMs: number;
  /**
   * How long `enqueue()` may take before it fails with a TaskEnqueueError, e.g. with the datastore down, and a
   * handle's reads, `abort()` and `worker.counts()` before they fail with ServiceUnavailableError (TASKS_ENQUEUE_TIMEOUT_MS, default 5 000).
   */
  enqueueTimeoutMs: number;
  /** How often a worker looks for tasks enqueued in a transaction, to queue them (TASKS_OUTBOX_POLL_MS, default 200). */
  outboxPollMs: number;
}

export type SettingsOptions = Partial<RuntimeSettings>;

const DEFAULTS: RuntimeSettings = {
  concurrency: 5,
  shutdownGraceMs: 25_000,
  stalledIntervalMs: 10_000,
  abortPollMs: 1_000,
  keepResultsMs: 24 * 3600_000,
  keepFailedMs: 7 * 24 * 3600_000,
  enqueueTimeoutMs: 5_000,
  outboxPollMs: 200,
};

/** Outside production: a worker under `tsx watch` must be done within its 5 s before SIGKILL. */
const DEVELOPMENT_DEFAULTS: Partial<RuntimeSettings> = { shutdownGraceMs: 3_000 };

const ENV: Record<keyof RuntimeSettings, string> = {
  concurrency: "TASKS_CONCURRENCY",
  shutdownGraceMs: "TASKS_SHUTDOWN_GRACE_MS",
  stalledIntervalMs: "TASKS_STALLED_INTERVAL_MS",
  abortPollMs: "TASKS_ABORT_POLL_MS",
  keepResultsMs: "TASKS_KEEP_RESULTS_MS",
  keepFailedMs: "TASKS_KEEP_FAILED_MS",
  enqueueTimeoutMs: "TASKS_ENQUEUE_TIMEOUT_MS",
  outboxPollMs: "TASKS_OUTBOX_POLL_MS",
};

/** Durations other parts of the runtime read from the environment (the HTTP client, the health check). */
const OTHER_DURATIONS = ["HTTP_TIMEOUT_MS", "WORKER_HEALTH_TIMEOUT_MS"] as const;

/** The settings, and every problem with them (a malformed or out-of-range value is left at its default). */
function readSettings(options: SettingsOptions, env: NodeJS.ProcessEnv): { settings: RuntimeSettings; problems: SettingError[] } {
  const settings = { ...DEFAULTS, ...(env.NODE_ENV === "production" ? {} : DEVELOPMENT_DEFAULTS) };
  const problems: SettingError[] = [];
  for (const key of Object.keys(DEFAULTS) as (keyof RuntimeSettings)[]) {
    const read = options[key] !== undefined ? { value: options[key] } : fromEnv(env, ENV[key]);
    if ("problem" in read) problems.push(read.problem);
    else if (read.value === undefined) continue;
    else if (!Number.isFinite(read.value) || read.value < (key === "shutdownGraceMs" ? 0 : 1)) {
      problems.push(new SettingError(ENV[key], `Task worker setting ${key} (${ENV[key]}) must be a positive number, got ${read.value}`));
    } else settings[key] = read.value;
  }
  return { settings, problems };
}

/** The worker's settings; throws the first problem (a SettingError naming its variable). */
export function resolveSettings(options: SettingsOptions = {}, env: NodeJS.ProcessEnv = process.env): RuntimeSettings {
  const { settings, problems } = readSettings(options, env);
  if (problems[0]) throw problems[0];
  return settings;
}

/**
 * Every problem with the task runtime's settings in `env` (TASKS_*, HTTP_TIMEOUT_MS,
 * WORKER_HEALTH_TIMEOUT_MS), one message each, for a startup check that reports them
 * all at once with the rest of the configuration.
 */
export function settingProblems(env: NodeJS.ProcessEnv = process.env): string[] {
  const { problems } = readSettings({}, env);
  for (const name of OTHER_DURATIONS) {
    const read = fromEnv(env, name);
    if ("problem" in read) problems.push(read.problem);
    else if (read.value !== undefined && read.value < 1)
      problems.push(new SettingError(name, `${name} must be a positive number of milliseconds, got ${read.value}`));
  }
  return problems.map((problem) => problem.message);
}

function fromEnv(env: NodeJS.ProcessEnv, name: string): { value: number | undefined } | { problem: SettingError } {
  const raw = env[name]?.trim();
  if (!raw) return { value: undefined };
  const value = Number(raw);
  if (Number.isFinite(value)) return { value };
  return {
    problem: new SettingError(name, `${name} must be a number of ${name.endsWith("_MS") ? "milliseconds" : "tasks"}, got "${raw}"`),
  };
}

/** The queue the app and the worker share: TASKS_QUEUE, else "tasks". */
export function queueNameFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.TASKS_QUEUE?.trim() || "tasks";
}
