import { spawn, type ChildProcess } from "node:child_process";
import { accessSync, constants } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Redis } from "ioredis";
import { freePort } from "../waiting.js";

/**
 * A throwaway `redis-server` on a free loopback port, so tests can stop, restart
 * and reconfigure a Redis without touching the shared one. Nothing is persisted,
 * unless `args` ask for it (e.g. `--appendonly yes --dir <folder>`).
 */
export interface ThrowawayRedis {
  readonly url: string;
  readonly port: number;
  /** Stops it (SIGTERM, or `signal`, to the process this helper started) and waits for it to exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (empty, unless persisted: see `args`); a no-op while it runs. */
  start(): Promise<void>;
}

/** The `redis-server` executable on PATH, if any. */
export function redisServerBinary(): string | undefined {
  return executableOnPath("redis-server");
}

/** An executable of that name on PATH, if any. */
export function executableOnPath(name: string): string | undefined {
  return (process.env.PATH ?? "")
    .split(":")
    .map((dir) => path.join(dir, name))
    .find((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

export interface ThrowawayRedisOptions {
  /** Require this password (`--requirepass`); the url then carries it. */
  password?: string;
  /** More redis-server arguments, e.g. ["--maxmemory-policy", "allkeys-lru"]. */
  args?: string[];
}

export async function startThrowawayRedis({ password, args = [] }: ThrowawayRedisOptions = {}): Promise<ThrowawayRedis> {
  const binary = redisServerBinary();
  if (!binary) throw new Error("redis-server is not installed");
  const port = await freePort();
  const url = password ? `redis://:${encodeURIComponent(password)}@127.0.0.1:${port}` : `redis://127.0.0.1:${port}`;
  const extraArgs = [...(password ? ["--requirepass", password] : []), ...args];
  let child: ChildProcess | undefined;
  const start = async () => {
    if (child) return; // already running
    child = spawn(binary, ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", ...extraArgs], {
      stdio: "ignore",
    });
    // A server that never answers is stopped, not left behind.
    await waitForPing(url).catch(async (error: unknown) => {
      await stop();
      throw error;
    });
  };
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill(signal);
    await exited;
  };
  await start();
  return { url, port, start, stop };
}

export async function waitForPing(url: string): Promise<void> {
  // Bounded: 100 tries × 100 ms.
  for (let i = 0; i < 100; i++) {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => {});
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      // not up yet
    } finally {
      client.disconnect();
    }
    await sleep(100);
  }
  throw new Error(`redis-server at ${url} did not answer`);
}
