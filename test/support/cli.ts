import { chmod, mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { cliPath } from "./paths.js";

/**
 * A fresh, empty folder under the system temp dir. World-readable, because as
 * root the embedded PostgreSQL runs its binaries (inside a generated project's
 * node_modules) as the `postgres` user, who must be able to reach them.
 */
export async function tempDir(label = "create-scaffold-test-"): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), label));
  await chmod(dir, 0o755);
  return dir;
}

/**
 * Runs the built CLI as a user would without a terminal: stdin closed,
 * CI unset so that only the missing TTY makes it unattended.
 */
export function runCli(args: string[], options: { cwd?: string; env?: Record<string, string>; timeout?: number; cli?: string } = {}) {
  const { CI: _ci, ...env } = process.env;
  const { cli = cliPath, ...rest } = options;
  return execa("node", [cli, ...args], {
    stdin: "ignore",
    reject: false,
    all: true,
    extendEnv: false,
    ...rest,
    env: { ...env, ...options.env },
  });
}
