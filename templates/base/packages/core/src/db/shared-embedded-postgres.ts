import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
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
    // A server whose supervisor died (killed, crashed) would never stop: a new supervisor adopts it.
    return (await supervisorAlive(dataDir)) ? findRunningEmbeddedPostgres(dataDir) : undefined;
  });
  return running ?? startSupervisor(dataDir);
}

/** Where the supervisor records its pid. */
export function supervisorPidPath(dataDir: string): string {
  return `${dataDir}.supervisor`;
}

export async function supervisorAlive(dataDir: string): Promise<boolean> {
  const pid = Number.parseInt(await readFile(supervisorPidPath(dataDir), "utf8").catch(() => ""), 10);
  return Number.isInteger(pid) && pid !== process.pid && isProcessAlive(pid);
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
  // Its own errors go to PostgreSQL's log, which the error message below points to.
  const log = openSync(logPath(dataDir), "a");
  const child = spawn(process.execPath, [...loaderFlags(process.execArgv), script, dataDir], {
    detached: true, // its own session: terminal signals to `pnpm dev` do not reach it
    stdio: ["ignore", "ignore", log, "ipc"],
    windowsHide: true,
  });
  closeSync(log);
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

/**
 * The flags that let Node run the supervisor as this process runs its code (tsx's
 * loader, export conditions), and no others: an inspector flag such as --inspect-brk
 * would make it wait for a debugger forever.
 */
function loaderFlags(execArgv: readonly string[]): string[] {
  const withValue = new Set(["--require", "-r", "--import", "--loader", "--experimental-loader", "--conditions", "-C"]);
  const kept: string[] = [];
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!;
    const name = arg.split("=")[0]!;
    if (!withValue.has(name)) continue;
    kept.push(arg);
    if (!arg.includes("=") && i + 1 < execArgv.length) kept.push(execArgv[++i]!);
  }
  return kept;
}
