import { readFileSync } from "node:fs";
import { open, readFile, rm } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * A cross-process mutex built on an exclusively-created file holding the owner's
 * pid. It serialises "is the embedded server running? if not, start it" so two
 * processes starting together (`pnpm dev` runs the app and the worker at once)
 * never both launch a server on the same data directory. A lock left behind by a
 * dead process is taken over.
 */
export async function withFileLock<T>(
  lockPath: string,
  fn: () => Promise<T>,
  { timeoutMs = 120_000 }: { timeoutMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(lockPath, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      if (await ownerIsGone(lockPath)) {
        await rm(lockPath, { force: true });
        continue;
      }
      if (Date.now() > deadline) {
        throw new Error(`Timed out waiting for ${lockPath}; delete it if no other process is starting the database.`);
      }
      await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    await rm(lockPath, { force: true });
  }
}

async function ownerIsGone(lockPath: string): Promise<boolean> {
  const content = await readFile(lockPath, "utf8").catch(() => "");
  const pid = Number.parseInt(content, 10);
  // An empty file means the owner is between create and write: give it time.
  if (!Number.isInteger(pid) || pid <= 0) return false;
  return !isProcessAlive(pid);
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    // EPERM: the process exists but belongs to another user (e.g. the postgres user).
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

/**
 * A process that has exited but was not reaped yet: one whose parent is gone, in a
 * container whose PID 1 is no init and reaps late or never, stays a zombie that
 * signals still reach. Dead, for whoever waits for it (Linux's /proc; elsewhere, false).
 */
function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).startsWith("Z");
  } catch {
    return false;
  }
}
