// `pnpm worker:health`: exits 0 when a live worker is processing this project's
// queue (TASKS_QUEUE on the datastore from REDIS_URL / DATABASE_URL / the embedded
// PostgreSQL, as the worker sees it), 1 otherwise — with a one-line reason. Made
// for container health checks; it answers within WORKER_HEALTH_TIMEOUT_MS (5 s).
import { loadEnvFile } from "@repo/core";

loadEnvFile();
// Imported after .env is loaded: the task runtime reads its settings (TASKS_QUEUE, …) on import.
const { checkWorkerHealth } = await import("@repo/core/tasks");
const health = await checkWorkerHealth();
if (health.healthy) console.log(`worker:health ok: ${health.reason}`);
else console.error(`worker:health failing: ${health.reason}`);
// Exit at once: nothing else should keep a health check alive.
process.exit(health.healthy ? 0 : 1);
