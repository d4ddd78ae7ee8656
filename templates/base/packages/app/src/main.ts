// The HTTP server: `pnpm dev` runs it with `tsx watch` (reloading on change),
// `pnpm start` runs the build. Configuration comes from the environment and
// `.env` (see .env.example).
import { serve } from "@hono/node-server";
import { closeDatabase, describeDatabase, exitGracefullyOnSignals, loadEnvFile, logger, mailer, startTracing } from "@repo/core";
import { exitOnInvalidConfig, loadConfig, type AppConfig } from "./config.js";
import { migrateOrExit } from "./db/migrations.js";

loadEnvFile();

let config: AppConfig;
try {
  config = loadConfig();
} catch (error) {
  exitOnInvalidConfig(error);
}
const tracing = await startTracing("app");

// Loaded after the check: task modules declare their tasks on import, and a bad
// declaration (a cron pattern, an option) is reported as one line too.
const { createApp } = await import("./app.js").catch(exitOnInvalidConfig);
const { closeQueue, queueStartupNotes } = await import("./queue.js");

// Connect and migrate now, so a bad DATABASE_URL or migration fails at startup, not on the first request.
await migrateOrExit("app");
const database = await describeDatabase();

const server = serve({ fetch: createApp(config).fetch, port: config.port }, (info) => {
  const baseUrl = `http://localhost:${info.port}`;
  const notes = [
    ...queueStartupNotes(baseUrl, config),
    `database: ${database}`,
    `mail: ${mailer.describe()}`,
    `tracing: ${tracing.describe()}`,
  ];
  logger("app").info({ url: baseUrl }, [`app ready on ${baseUrl} (POST /signup, GET /health)`, ...notes].join("\n  "));
});
server.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code !== "EADDRINUSE") throw error;
  logger("app").fatal(`PORT ${config.port} is already in use; stop the other server or set PORT to a free port.`);
  process.exit(1);
});

exitGracefullyOnSignals("app", async () => {
  server.close();
  await closeQueue();
  await closeDatabase();
});
