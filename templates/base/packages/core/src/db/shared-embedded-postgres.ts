import { spawn } from "node:child_process";
import { mkdir, readdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { findRunningEmbeddedPostgres, lockPath } from "./embedded-postgres.js";
import { isProcessAlive, withFileLock } from "./file-lock.js";

/**
 * The development database every process of the project shares (the server, the
 * worker, scripts). Its PostgreSQL runs under a small supervisor process of its own,
 * detached from the terminal, so that:
 * - one Ctrl-C on `pnpm dev` does not kill the database under the app and the worker
 *   while they are still shutting down;
 * - `tsx watch` restarting the app or the worker does not restart the database;
 * - it stops cleanly once the last process using it has gone (even one killed with
 *   SIGKILL), a few seconds later.
 * Each process using it registers its pid in `<dataDir>.clients/`.
 */
export async function attachSharedEmbeddedPostgres(dataDir: string): Promise<string> {
  await mkdir(path.dirname(dataDir), { recursive: true });
  const running = await withFileLock(lockPath(dataDir), async () => {
    await registerClient(dataDir);
    return findRunningEmbeddedPostgres(dataDir);
  });
  return running ?? startSupervisor(dataDir);
}

/** Unregisters this process; the supervisor stops the server when no process is left. */
export async function detachSharedEmbeddedPostgres(dataDir: string): Promise<void> {
  await rm(path.join(clientsDir(dataDir), String(process.pid)), { force: true });
}

/** Pids of the live processes using the server; files of dead ones are removed. */
export async function liveClients(dataDir: string): Promise<number[]> {
  const dir = clientsDir(dataDir);
  const live: number[] = [];
  for (const name of await readdir(dir).catch(() => [])) {
    const pid = Number.parseInt(name, 10);
    if (Number.isInteger(pid) && isProcessAlive(pid)) live.push(pid);
    else await rm(path.join(dir, name), { force: true });
  }
  return live;
}

/** PostgreSQL's log for the shared server (it has no terminal to write to). */
export function logPath(dataDir: string): string {
  return `${dataDir}.log`;
}

function clientsDir(dataDir: string): string {
  return `${dataDir}.clients`;
}

async function registerClient(dataDir: string): Promise<void> {
  await mkdir(clientsDir(dataDir), { recursive: true });
  await writeFile(path.join(clientsDir(dataDir), String(process.pid)), "");
}

type SupervisorMessage = { url: string } | { error: string };

function startSupervisor(dataDir: string): Promise<string> {
  // The supervisor is written in the same language as this file: under tsx (development)
  // the .ts source with tsx's loader, from a build the compiled .js.
  const here = fileURLToPath(import.meta.url);
  const script = path.join(path.dirname(here), `embedded-postgres-supervisor${path.extname(here)}`);
  const child = spawn(process.execPath, [...process.execArgv, script, dataDir], {
    detached: true, // its own session: terminal signals to `pnpm dev` do not reach it
    stdio: ["ignore", "ignore", "ignore", "ipc"],
    windowsHide: true,
  });
  return new Promise<string>((resolve, reject) => {
    const onExit = (code: number | null) =>
      reject(new Error(`The embedded PostgreSQL's supervisor exited (code ${code}) before the server was ready; see ${logPath(dataDir)}.`));
    child.once("error", reject);
    child.once("exit", onExit);
    child.once("message", (message: SupervisorMessage) => {
      child.off("exit", onExit);
      child.disconnect();
      child.unref();
      if ("url" in message) resolve(message.url);
      else reject(new Error(message.error));
    });
  });
}
