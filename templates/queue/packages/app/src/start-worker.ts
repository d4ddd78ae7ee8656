// The worker process: `pnpm worker:dev` (reloads on change) or `tsx src/start-worker.ts`.
// Importing the registration file registers every task; run() consumes the queue
// until SIGINT/SIGTERM, then lets running tasks finish and exits.
import { MailConfigError, mailer } from "@repo/core";

// Tasks send mail: a bad SMTP_URL / MAIL_FROM is reported now, by name, not at the first send.
try {
  console.log(`[mail] sending to ${mailer.describe()}`);
} catch (error) {
  if (!(error instanceof MailConfigError)) throw error;
  console.error(`Invalid configuration:\n  - ${error.message}`);
  process.exit(1);
}

const { worker } = await import("./tasks/worker.js").catch((error: unknown) => {
  // The task runtime throws a RangeError naming the variable (e.g. TASKS_CONCURRENCY) for a bad setting.
  if (!(error instanceof RangeError)) throw error;
  console.error(`Invalid configuration:\n  - ${error.message}`);
  process.exit(1);
});

await worker.run();
