import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { repoRoot } from "../paths.js";
import { EVENT_PREFIX, type ConformanceEvent } from "./tasks.js";
import type { ConformanceWorkerConfig } from "./worker.js";

export interface ConformanceWorker {
  readonly child: ChildProcess;
  readonly events: ConformanceEvent[];
  /** Resolves with the first event (seen so far or later) matching `match`; rejects if the process exits first. */
  waitFor<E extends ConformanceEvent["event"]>(
    event: E,
    match?: (event: Extract<ConformanceEvent, { event: E }>) => boolean,
  ): Promise<Extract<ConformanceEvent, { event: E }>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
  kill(signal: NodeJS.Signals): void;
}

const script = path.join(repoRoot, "test/support/conformance/worker.ts");

/** Starts a real worker process; resolves once it consumes the queue. */
export async function startConformanceWorker(config: ConformanceWorkerConfig, env: NodeJS.ProcessEnv): Promise<ConformanceWorker> {
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    cwd: repoRoot,
    env: {
      ...process.env,
      ...env,
      CONFORMANCE_WORKER: JSON.stringify(config),
      TSX_TSCONFIG_PATH: path.join(repoRoot, "tsconfig.json"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const events: ConformanceEvent[] = [];
  const waiters = new Set<() => void>();
  let output = "";
  let pending = "";
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => {
      done = true;
      for (const wake of waiters) wake();
      resolve({ code, signal });
    }),
  );
  child.stdout!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
    pending += chunk.toString();
    const lines = pending.split("\n");
    pending = lines.pop()!;
    for (const line of lines) {
      if (line.startsWith(EVENT_PREFIX)) events.push(JSON.parse(line.slice(EVENT_PREFIX.length)) as ConformanceEvent);
    }
    for (const wake of waiters) wake();
  });
  child.stderr!.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const worker: ConformanceWorker = {
    child,
    events,
    exited,
    output: () => output,
    kill: (signal) => {
      if (!done) child.kill(signal);
    },
    waitFor: (event, match = () => true) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find((candidate) => candidate.event === event && match(candidate as never));
          if (found) {
            waiters.delete(check);
            resolve(found as never);
          } else if (done) {
            waiters.delete(check);
            reject(new Error(`worker ${config.label} exited before "${event}":\n${output}`));
          }
        };
        waiters.add(check);
        check();
      }),
  };
  await worker.waitFor("ready");
  return worker;
}
