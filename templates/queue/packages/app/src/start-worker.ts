// The worker process: `pnpm worker:dev` (reloads on change) or `pnpm worker` (the
// build). Importing the registration file registers every task; run() consumes the
// queue until SIGINT/SIGTERM, then lets running tasks finish and exits.
import { describeDatabase, loadEnvFile, logger, mailer, startTracing } from "@repo/core";
import { exitOnInvalidConfig, loadWorkerConfig, type WorkerConfig } from "./config.js";
import { migrateOrExit } from "./db/migrations.js";
import { serveWorkerMetrics } from "./worker-metrics.js";

loadEnvFile();

// Checked now, by name, not when the first task fails: the datastores and the mail tasks send.
let config: WorkerConfig;
try {
  config = loadWorkerConfig();
} catch (error) {
  exitOnInvalidConfig(error);
}
const tracing = await startTracing("worker");

// Importing the registration file declares every task: a bad declaration (a cron
// pattern, an option) is reported as one line, like the configuration.
const { worker } = await import("./tasks/worker.js").catch(exitOnInvalidConfig);

// Tasks run against an up-to-date schema; with the server starting too, the migrations run once.
await migrateOrExit("worker");
const log = logger("worker");
log.info(`database: ${await describeDatabase()}`);
log.info(`mail: ${mailer.describe()}`);
log.info(`tracing: ${tracing.describe()}`);
// Listening before the first task is taken: a port that cannot be had stops the worker with nothing begun.
const metrics = await serveWorkerMetrics(worker.metrics, config).catch((error: Error) => {
  log.fatal(error.message);
  process.exit(1);
});
log.info(metrics);
await worker.run();
