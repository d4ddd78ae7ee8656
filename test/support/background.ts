import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { stripVTControlCharacters } from "node:util";
import type { ResultPromise } from "execa";
import type { LogRecord } from "./captured-log.js";
import { spawnPnpm } from "./pnpm.js";

/**
 * A long-running script of a generated project (`pnpm dev`, `pnpm start`, …) in its
 * own process group: its output can be awaited, and a signal reaches the whole group,
 * as Ctrl-C in a terminal does.
 */
export class BackgroundScript {
  private text = "";
  /** Every process the script had started when it was last stopped or killed. */
  private readonly started = new Set<number>();
  /** How the script ended: an exit code, or the signal that ended it (exitCode undefined). */
  readonly exited: Promise<{ exitCode?: number; signal?: string }>;

  private constructor(
    readonly name: string,
    private readonly child: ResultPromise,
  ) {
    child.all?.on("data", (chunk: Buffer) => {
      this.text += stripVTControlCharacters(chunk.toString());
    });
    this.exited = child.then(({ exitCode, signal }) => ({ exitCode, signal }));
  }

  static async start(project: string, args: string[], env: NodeJS.ProcessEnv): Promise<BackgroundScript> {
    const { subprocess } = await spawnPnpm(args, { cwd: project, env: { ...env, NO_COLOR: "1" }, extendEnv: false });
    return new BackgroundScript(`pnpm ${args.join(" ")}`, subprocess);
  }

  get output(): string {
    return this.text;
  }

  /** Its log in production: each JSON line of its output, parsed (other lines left out). */
  get logRecords(): LogRecord[] {
    return this.text.split("\n").flatMap((line) => {
      if (!line.startsWith("{")) return [];
      try {
        return [JSON.parse(line) as LogRecord];
      } catch {
        return [];
      }
    });
  }

  /** Resolves once the output has `count` matches of `pattern`; throws, showing the output, on timeout or exit. */
  waitFor(pattern: RegExp, { count = 1, timeoutMs = 120_000 } = {}): Promise<RegExpMatchArray> {
    const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
    return this.waitUntil(`printing ${pattern} ×${count}`, timeoutMs, () => [...this.text.matchAll(global)][count - 1]);
  }

  /** Resolves with the first log record (see logRecords) that `matches`; throws, showing the output, on timeout or exit. */
  waitForLog(what: string, matches: (record: LogRecord) => boolean, { timeoutMs = 120_000 } = {}): Promise<LogRecord> {
    return this.waitUntil(`logging ${what}`, timeoutMs, () => this.logRecords.find(matches));
  }

  private async waitUntil<T>(what: string, timeoutMs: number, found: () => T | undefined): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const result = found();
      if (result !== undefined) return result;
      if (exited || Date.now() > deadline) {
        throw new Error(`${this.name}: ${exited ? "exited" : "timed out"} before ${what}:\n${this.text}`);
      }
      await sleep(100);
    }
  }

  /** Sends `signal` to the whole process group and resolves with how the script ended. */
  async stop(signal: NodeJS.Signals = "SIGINT"): Promise<{ exitCode?: number; signal?: string }> {
    this.remember();
    if (this.child.pid !== undefined && groupAlive(this.child.pid)) process.kill(-this.child.pid, signal);
    return this.exited;
  }

  /**
   * Whether any process of the script is still alive: its process group, and every process
   * it had started when it was stopped — turbo runs each task in a process group of its
   * own, which a signal to the script's group does not reach.
   */
  groupAlive(): boolean {
    if (this.child.pid !== undefined && groupAlive(this.child.pid)) return true;
    return [...this.started].some(isAlive);
  }

  /** Last resort for afterAll: SIGKILL to the group and every process it started. */
  kill(): void {
    this.remember();
    if (this.child.pid !== undefined && groupAlive(this.child.pid)) process.kill(-this.child.pid, "SIGKILL");
    for (const pid of this.started) {
      if (isAlive(pid)) process.kill(pid, "SIGKILL");
    }
  }

  /** Notes every process now running under the script (by parent links, whatever its group). */
  private remember(): void {
    if (this.child.pid === undefined) return;
    const children = new Map<number, number[]>();
    for (const line of execFileSync("ps", ["-A", "-o", "pid=,ppid="], { encoding: "utf8" }).trim().split("\n")) {
      const [pid, ppid] = line.trim().split(/\s+/).map(Number) as [number, number];
      children.set(ppid, [...(children.get(ppid) ?? []), pid]);
    }
    const pending = [this.child.pid];
    while (pending.length > 0) {
      for (const pid of children.get(pending.pop() as number) ?? []) {
        this.started.add(pid);
        pending.push(pid);
      }
    }
  }
}

function groupAlive(pgid: number): boolean {
  return isAlive(-pgid);
}

/** Whether a process (or, negative, a process group) exists. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
