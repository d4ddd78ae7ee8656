// The job queue's settings (TASKS_*, HTTP_TIMEOUT_MS, WORKER_HEALTH_TIMEOUT_MS), checked at
// startup with the rest of the configuration so that every problem is reported at once.
// (A module of its own: importing it declares no tasks.)
export { settingProblems as queueConfigProblems } from "@repo/core/tasks";
