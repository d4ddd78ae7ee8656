// The worker process: `pnpm worker:dev` (reloads on change) or `tsx src/start-worker.ts`.
// Importing the registration file registers every task; run() consumes the queue
// until SIGINT/SIGTERM, then lets running tasks finish and exits.
import { worker } from "./tasks/worker.js";

await worker.run();
