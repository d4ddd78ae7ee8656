import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../paths.js";
import { READY_LINE, type FaultWorkerConfig } from "./protocol.js";

export interface FaultWorker {
  readonly label: string;
  readonly child: ChildProcess;
  /** Resolves once the worker consumes the queue; rejects if it exits first. */
  readonly ready: Promise<void>;
  /** Resolves when the process has exited, with its code or the signal that ended it. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Everything it printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Sends `signal` unless the process has already exited. */
  signal(signal: NodeJS.Signals): void;
}

const workerScript = path.join(repoRoot, "test/support/faults/worker.ts");

/** Starts a real worker process (see worker.ts) on the test's queue. */
export function spawnFaultWorker(config: FaultWorkerConfig, env: NodeJS.ProcessEnv = {}): FaultWorker {
  const child = spawn(process.execPath, ["--import", "tsx", workerScript], {
    cwd: repoRoot,
    env: {
      ...process.env,
      // Find a killed worker's tasks within seconds rather than BullMQ's default 30 s
      // stall check (the runtime's TASKS_STALLED_INTERVAL_MS; locks last twice this).
      TASKS_STALLED_INTERVAL_MS: "2000",
      ...env,
      FAULT_WORKER: JSON.stringify(config),
      // The runtime's `@repo/core` imports resolve through this tsconfig's paths.
      TSX_TSCONFIG_PATH: path.join(repoRoot, "tsconfig.json"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let exitedAlready = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once("exit", (code, signal) => {
      exitedAlready = true;
      resolve({ code, signal });
    });
  });
  const ready = new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(READY_LINE)) resolve();
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    void exited.then(({ code, signal }) =>
      reject(new Error(`worker ${config.label} exited (code ${code}, signal ${signal}) before it was ready:\n${output}`)),
    );
  });
  ready.catch(() => {}); // observed by the test when it awaits `ready`
  return {
    label: config.label,
    child,
    ready,
    exited,
    output: () => output,
    signal(signal) {
      if (!exitedAlready) child.kill(signal);
    },
  };
}
