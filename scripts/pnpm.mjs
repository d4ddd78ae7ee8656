// Runs this repo's pinned pnpm through npx, so a machine with only Node works:
// pnpm need not be installed (and corepack cannot always fetch it).
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const { packageManager } = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

/** Runs pnpm in the repo root; exits this process with pnpm's code if it fails. */
export function pnpm(args) {
  const result = spawnSync("npx", ["--yes", packageManager, ...args], { cwd: repoRoot, stdio: "inherit" });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
