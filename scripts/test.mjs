#!/usr/bin/env node
// The whole test suite from a fresh clone: install, lint, typecheck, then every
// test; then the CLI and a generated project again on Node 24, the current LTS (when
// this is an older Node). Extra arguments go to vitest (e.g. a file name), and then
// only that runs.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { node24Bin } from "./node24.mjs";
import { pnpm } from "./pnpm.mjs";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);

pnpm(["install", "--frozen-lockfile"]);
pnpm(["lint"]);
pnpm(["typecheck"]);
pnpm(["exec", "vitest", "run", ...args]);
if (args.length === 0) onNode24(["test/cli.test.ts", "test/e2e.test.ts"]);

/**
 * Runs these test files under Node 24: vitest, and everything it starts (npx, pnpm, the
 * generated project's scripts), find Node 24 first on PATH. Without one to install, the
 * run says so loudly — and fails when REQUIRE_SERVICES=1 (CI), as a missing service does.
 */
function onNode24(files) {
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= 24) return;
  const { bin, problem } = node24Bin();
  if (!bin) {
    const message = `The CLI and generated-project tests did not run on Node 24: ${problem}`;
    if (process.env.REQUIRE_SERVICES === "1") {
      console.error(`${message} — but REQUIRE_SERVICES=1 requires it`);
      process.exit(1);
    }
    console.warn(`\n⚠️  ${message} (set REQUIRE_SERVICES=1 to make this an error)\n`);
    return;
  }
  console.log(`\nAgain on Node 24 (${bin}): ${files.join(", ")}\n`);
  const result = spawnSync(path.join(bin, "node"), [path.join(repoRoot, "node_modules/vitest/vitest.mjs"), "run", ...files], {
    cwd: repoRoot,
    stdio: "inherit",
    env: { ...process.env, PATH: `${bin}${path.delimiter}${process.env.PATH ?? ""}` },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
