import { describeError } from "../errors.js";
import { logger } from "../log/logger.js";

/**
 * Graceful shutdown on SIGINT/SIGTERM: `close()` once, then exit 0 (1 if it
 * fails). A second signal forces an immediate exit 1 — but only after a short
 * settle time, because one Ctrl-C under `pnpm dev` arrives several times: the
 * terminal signals the whole process group, and turbo and `tsx watch` relay it
 * again to their children.
 */
const shutdownHooks: (() => Promise<void>)[] = [];
// A hook that does not end in this time (a collector that does not answer) is left behind.
const HOOK_TIMEOUT_MS = 3_000;

/**
 * Work for the very end of a graceful shutdown, after the process's own `close()` and
 * before it exits: flushing what is still buffered (spans). Each hook gets
 * HOOK_TIMEOUT_MS; a failing one is reported and the others still run.
 */
export function atShutdown(hook: () => Promise<void>): void {
  shutdownHooks.push(hook);
}

async function runShutdownHooks(label: string): Promise<void> {
  for (const hook of shutdownHooks.splice(0)) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, HOOK_TIMEOUT_MS);
    });
    await Promise.race([hook(), late])
      .catch((error: unknown) => logger(label).error(`while shutting down: ${describeError(error)}`))
      .finally(() => clearTimeout(timer));
  }
}

export function exitGracefullyOnSignals(label: string, close: (signal: NodeJS.Signals) => Promise<void>): void {
  const settleMs = 1_000;
  let firstAt: number | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    if (firstAt !== undefined) {
      if (Date.now() - firstAt < settleMs) return; // the same Ctrl-C, relayed
      logger(label).warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    firstAt = Date.now();
    close(signal).then(
      () => runShutdownHooks(label).then(() => process.exit(0)),
      (error: unknown) => {
        logger(label).error({ err: error }, "error while shutting down");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
}
