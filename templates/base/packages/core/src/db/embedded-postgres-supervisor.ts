// Runs the project's shared development PostgreSQL (see shared-embedded-postgres.ts):
// started by the first process that needs the database, as
// `node embedded-postgres-supervisor.{ts,js} <dataDir>`. It reports the server's URL
// (or why it could not start) over IPC, then stays until no process uses the server.
import { createWriteStream } from "node:fs";
import { rm, writeFile } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { lockPath, startEmbeddedPostgres, stopRunningEmbeddedPostgres, type EmbeddedPostgresServer } from "./embedded-postgres.js";
import { withFileLock } from "./file-lock.js";
import { liveClients, logPath, supervisorAlive, supervisorPidPath } from "./shared-embedded-postgres.js";

// How long the server outlives its last client: long enough for `tsx watch` to restart
// the app and the worker at once on a busy machine (each new process loads all its code
// before it attaches; 5 s was seen to run out in CI), short enough that the database
// stops soon after Ctrl-C on `pnpm dev`.
const LINGER_MS = 15_000;
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
// Another supervisor is already watching this server (it started it a moment ago).
if (!server.owned && (await supervisorAlive(dataDir))) {
  report({ url: server.url });
  process.exit(0);
}
// Watching it from now on, whether this process started it or adopted it from a supervisor that died.
await writeFile(supervisorPidPath(dataDir), `${process.pid}\n`);
report({ url: server.url });
process.disconnect?.();

const stopServer = () => (server.owned ? server.stop() : stopRunningEmbeddedPostgres(dataDir));
const stop = async () => {
  await stopServer();
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
    await stopServer();
    await rm(supervisorPidPath(dataDir), { force: true });
    return true;
  });
  if (stopped) process.exit(0);
  idleSince = undefined;
}
