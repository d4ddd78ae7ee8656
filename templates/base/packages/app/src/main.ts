// The HTTP server (`pnpm dev` runs it with `tsx watch`, reloading on change).
// Configuration comes from the environment only; see .env.example.
import { serve } from "@hono/node-server";
import { closeDatabase, db } from "@repo/core";
import { ConfigError, loadConfig, type AppConfig } from "./config.js";

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}

// Loaded after the check: the task runtime reads its own settings (TASKS_*) on import.
const { createApp } = await import("./app.js").catch(exitOnSettingError);
const { closeQueue, queueStartupNotes } = await import("./queue.js");

// Connect (and migrate) now, so a bad DATABASE_URL fails at startup, not on the first request.
await db.query("SELECT 1");

const server = serve({ fetch: createApp(config).fetch, port: config.port }, (info) => {
  const baseUrl = `http://localhost:${info.port}`;
  console.log([`app ready on ${baseUrl} (POST /signup, GET /health)`, ...queueStartupNotes(baseUrl, config)].join("\n  "));
});
server.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EADDRINUSE") throw error;
  console.error(`PORT ${config.port} is already in use; stop the other server or set PORT to a free port.`);
  process.exit(1);
});

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(1); // a second Ctrl-C: do not wait
    stopping = true;
    server.close();
    // The pool first: closing the queue may stop the embedded PostgreSQL under it.
    db.close()
      .then(closeQueue)
      .then(closeDatabase)
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error("[app] shutdown failed:", error);
          process.exit(1);
        },
      );
  });
}

// The task runtime throws a RangeError naming the variable (e.g. TASKS_CONCURRENCY) for a bad setting.
function exitOnSettingError(error: unknown): never {
  if (error instanceof RangeError) {
    console.error(`Invalid configuration:\n  - ${error.message}`);
    process.exit(1);
  }
  throw error;
}
