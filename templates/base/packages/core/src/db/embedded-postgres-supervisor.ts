// Runs the project's shared development PostgreSQL (see shared-embedded-postgres.ts):
// started by the first process that needs the database, as
// `node embedded-postgres-supervisor.{ts,js} <dataDir>`. It reports the server's URL
// (or why it could not start) over IPC, then stays until no process uses the server.
import { createWriteStream } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { lockPath, startEmbeddedPostgres, type EmbeddedPostgresServer } from "./embedded-postgres.js";
import { withFileLock } from "./file-lock.js";
import { liveClients, logPath } from "./shared-embedded-postgres.js";

// How long the server outlives its last client: long enough for `tsx watch` to
// restart a process, short enough that Ctrl-C on `pnpm dev` stops everything promptly.
const LINGER_MS = 5_000;
const POLL_MS = 250;

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: embedded-postgres-supervisor <dataDir>");
const report = (message: { url: string } | { error: string }) => process.send?.(message);

const log = createWriteStream(logPath(dataDir), { flags: "a" });
let server: EmbeddedPostgresServer;
try {
  server = await startEmbeddedPostgres({ dataDir, log: (message) => log.write(message) });
} catch (error) {
  report({ error: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
report({ url: server.url });
process.disconnect?.();
// Another process's supervisor already runs this server.
if (!server.owned) process.exit(0);

const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

let idleSince: number | undefined;
for (;;) {
  await sleep(POLL_MS);
  if ((await liveClients(dataDir)).length > 0) {
    idleSince = undefined;
    continue;
  }
  idleSince ??= Date.now();
  if (Date.now() - idleSince < LINGER_MS) continue;
  // Under the lock: a process attaching right now either registered first (and the
  // server stays) or waits and then finds it stopped (and starts a new supervisor).
  const stopped = await withFileLock(lockPath(dataDir), async () => {
    if ((await liveClients(dataDir)).length > 0) return false;
    await server.stop();
    return true;
  });
  if (stopped) process.exit(0);
  idleSince = undefined;
}
