import { setTimeout as sleep } from "node:timers/promises";
import { stripVTControlCharacters } from "node:util";
import type { ResultPromise } from "execa";
import { spawnPnpm } from "./pnpm.js";

/**
 * A long-running script of a generated project (`pnpm dev`, `pnpm start`, …) in its
 * own process group: its output can be awaited, and a signal reaches the whole group,
 * as Ctrl-C in a terminal does.
 */
export class BackgroundScript {
  private text = "";
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

  /** Resolves once the output has `count` matches of `pattern`; throws, showing the output, on timeout or exit. */
  async waitFor(pattern: RegExp, { count = 1, timeoutMs = 120_000 } = {}): Promise<RegExpMatchArray> {
    const global = new RegExp(pattern.source, `${pattern.flags.replace("g", "")}g`);
    const deadline = Date.now() + timeoutMs;
    let exited = false;
    void this.exited.then(() => {
      exited = true;
    });
    for (;;) {
      const matches = [...this.text.matchAll(global)];
      if (matches.length >= count) return matches[count - 1] as RegExpMatchArray;
      if (exited || Date.now() > deadline) {
        throw new Error(`${this.name}: ${exited ? "exited" : "timed out"} before printing ${pattern} ×${count}:\n${this.text}`);
      }
      await sleep(100);
    }
  }

  /** Sends `signal` to the whole process group and resolves with how the script ended. */
  async stop(signal: NodeJS.Signals = "SIGINT"): Promise<{ exitCode?: number; signal?: string }> {
    if (this.child.pid !== undefined && groupAlive(this.child.pid)) process.kill(-this.child.pid, signal);
    return this.exited;
  }

  /** Whether any process of the group is still alive. */
  groupAlive(): boolean {
    return this.child.pid !== undefined && groupAlive(this.child.pid);
  }

  /** Last resort for afterAll: SIGKILL to the group. */
  kill(): void {
    if (this.child.pid !== undefined && groupAlive(this.child.pid)) process.kill(-this.child.pid, "SIGKILL");
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
