import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** Polls `condition` every 50 ms; throws `what` after `timeoutMs` (a hang guard, not a timing assertion). */
export async function eventually(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for: ${what}`);
    await sleep(50);
  }
}

/**
 * How `promise` settled within `ms` (`{ value }` or `{ error }`), or `{ pending: true }`: a hang
 * guard for what must settle, so a test that would hang fails saying so instead.
 */
export function settledWithin<T>(promise: Promise<T>, ms: number): Promise<{ value: T } | { error: Error } | { pending: true }> {
  return Promise.race([
    promise.then(
      (value) => ({ value }),
      (error: Error) => ({ error }),
    ),
    sleep(ms).then(() => ({ pending: true as const })),
  ]);
}

/** A port nothing listens on right now (bound once on 127.0.0.1, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}
