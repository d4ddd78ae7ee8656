// Runs this repo's pinned pnpm through npx, so a machine with only Node works:
// pnpm need not be installed (and corepack cannot always fetch it).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/**
 * Runs pnpm in the repo root; exits this process with pnpm's code if it fails.
 * `quiet` shows the output only when the command fails.
 */
export function pnpm(args, { quiet = false } = {}) {
  const result = spawnSync("npx", ["--yes", packageManager, ...args], {
    cwd: repoRoot,
    stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit",
    encoding: "utf8",
  });
  if (result.status === 0) return;
  if (quiet) process.stderr.write(`${result.stdout ?? ""}${result.stderr ?? ""}`);
  process.exit(result.status ?? 1);
}
