import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa } from "execa";
import { Redis } from "ioredis";
import { eventually, freePort } from "../waiting.js";
import { executableOnPath, redisServerBinary, startThrowawayRedis, type ThrowawayRedis, waitForPing } from "./redis-server.js";

/** `redis-cli`, which creates the cluster, on PATH, if any. */
export const redisCliBinary = () => executableOnPath("redis-cli");

/** Processes of one throwaway topology, stopped together. */
class Processes {
  private readonly children: ChildProcess[] = [];

  constructor(readonly dir: string) {}

  start(args: string[]): ChildProcess {
    const binary = redisServerBinary();
    if (!binary) throw new Error("redis-server is not installed");
    const child = spawn(binary, args, { stdio: "ignore", cwd: this.dir });
    this.children.push(child);
    return child;
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.children.splice(0).map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGKILL");
        await exited;
      }),
    );
    await rm(this.dir, { recursive: true, force: true });
  }
}

export interface ThrowawayRedisCluster {
  /** `redis+cluster://127.0.0.1:<port>,…`: REDIS_URL's form for a cluster. */
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * A throwaway Redis Cluster on loopback: `primaries` cluster-enabled redis-server
 * processes on free ports (the cluster bus on free ports too), joined with
 * `redis-cli --cluster create`, ready once every node says `cluster_state:ok`.
 */
export async function startThrowawayRedisCluster({ primaries = 3 } = {}): Promise<ThrowawayRedisCluster> {
  const processes = new Processes(await mkdtemp(path.join(tmpdir(), "redis-cluster-")));
  try {
    const ports: number[] = [];
    for (let i = 0; i < primaries; i++) {
      const [port, busPort] = [await freePort(), await freePort()];
      processes.start([
        ...["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        ...["--cluster-enabled", "yes", "--cluster-config-file", `nodes-${port}.conf`, "--cluster-port", String(busPort)],
        ...["--cluster-node-timeout", "2000"],
      ]);
      ports.push(port);
    }
    await Promise.all(ports.map((port) => waitForPing(`redis://127.0.0.1:${port}`)));
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await execa("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], { timeout: 30_000 });
    await eventually(
      "every node of the cluster to be ok",
      async () =>
        (await Promise.all(ports.map((port) => nodeInfo(port, ["cluster", "info"])))).every((info) => /cluster_state:ok/.test(info)),
      30_000,
    );
    return { url: `redis+cluster://${nodes.join(",")}`, stop: () => processes.stop() };
  } catch (error) {
    await processes.stop();
    throw error;
  }
}

export interface ThrowawaySentinel {
  /** `redis+sentinel://127.0.0.1:<port>/mymaster`: REDIS_URL's form through Sentinel. */
  readonly url: string;
  readonly primary: ThrowawayRedis;
  readonly replica: ThrowawayRedis;
  /** The port of the server the Sentinel names as primary now. */
  primaryPort(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * A primary, a replica of it and one Sentinel watching them (quorum 1, the primary down
 * after 1 s): the smallest setup that fails over by itself when the primary dies.
 */
export async function startThrowawaySentinel(): Promise<ThrowawaySentinel> {
  const processes = new Processes(await mkdtemp(path.join(tmpdir(), "redis-sentinel-")));
  const primary = await startThrowawayRedis();
  const replica = await startThrowawayRedis({ args: ["--replicaof", "127.0.0.1", String(primary.port)] });
  try {
    await eventually("the replica to be in sync", async () =>
      /master_link_status:up/.test(await nodeInfo(replica.port, ["info", "replication"])),
    );
    const port = await freePort();
    const config = path.join(processes.dir, "sentinel.conf"); // Sentinel rewrites its file: one of its own
    await writeFile(
      config,
      [
        `port ${port}`,
        "bind 127.0.0.1",
        `sentinel monitor mymaster 127.0.0.1 ${primary.port} 1`,
        "sentinel down-after-milliseconds mymaster 1000",
        "sentinel failover-timeout mymaster 5000",
        "",
      ].join("\n"),
    );
    processes.start([config, "--sentinel"]);
    await waitForPing(`redis://127.0.0.1:${port}`);
    const primaryPort = async () => {
      const [, found] = (await nodeCommand(port, ["sentinel", "get-master-addr-by-name", "mymaster"])) as [string, string];
      return Number(found);
    };
    // It knows the replica (from the primary's INFO) before it can fail over to it.
    await eventually("the sentinel to see the replica", async () => {
      const replicas = (await nodeCommand(port, ["sentinel", "replicas", "mymaster"])) as unknown[];
      return replicas.length === 1;
    });
    return {
      url: `redis+sentinel://127.0.0.1:${port}/mymaster`,
      primary,
      replica,
      primaryPort,
      stop: async () => {
        await processes.stop();
        await Promise.all([primary.stop("SIGKILL"), replica.stop("SIGKILL")]);
      },
    };
  } catch (error) {
    await processes.stop();
    await Promise.all([primary.stop("SIGKILL"), replica.stop("SIGKILL")]);
    throw error;
  }
}

async function nodeCommand(port: number, [command, ...args]: string[]): Promise<unknown> {
  const client = new Redis({ port, host: "127.0.0.1", lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  client.on("error", () => {});
  try {
    await client.connect();
    return await client.call(command!, ...args);
  } finally {
    client.disconnect();
  }
}

async function nodeInfo(port: number, command: string[]): Promise<string> {
  return String(await nodeCommand(port, command).catch(() => ""));
}
