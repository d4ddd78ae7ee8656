// The job queue is off in this project: it brings no settings of its own to check.
// (A project generated with the queue checks TASKS_* here, with the rest of the configuration.)

/** Problems with the job queue's settings in `env`: none without a job queue. */
export function queueConfigProblems(_env: NodeJS.ProcessEnv): string[] {
  return [];
}
