import { chmod, mkdtemp, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { pnpmIsOnPath } from "../../packages/create-scaffold/src/next-steps.js";
import { findPnpm } from "../../packages/create-scaffold/src/pnpm.js";
import { cliPath, repoRoot } from "./paths.js";

/** Tests run the real bundled CLI, so build it from the current sources first. */
export default async function setup(): Promise<void> {
  await execa("node", ["node_modules/tsup/dist/cli-default.js"], { cwd: `${repoRoot}/packages/create-scaffold`, stdin: "ignore" });
  console.log(`built ${cliPath}`);
  await putPnpmOnPath();
}

/**
 * Without pnpm on PATH, the CLI sets it up (`corepack enable pnpm`, beside the user's
 * Node): a test run must not change the machine it runs on. So the tests' processes find
 * a `pnpm` that runs the one found here; test/start-commands.test.ts covers the CLI on
 * machines without one.
 */
async function putPnpmOnPath(): Promise<void> {
  if (pnpmIsOnPath()) return;
  const found = await findPnpm(repoRoot);
  if (!found) throw new Error("pnpm not found (tried pnpm, corepack pnpm, npx pnpm@10)");
  const bin = await mkdtemp(path.join(os.tmpdir(), "create-scaffold-pnpm-"));
  await writeFile(path.join(bin, "pnpm"), `#!/bin/sh\nexec ${[found.file, ...found.prefix].join(" ")} "$@"\n`);
  await chmod(path.join(bin, "pnpm"), 0o755);
  process.env.PATH = `${bin}${path.delimiter}${process.env.PATH ?? ""}`;
  console.log(`pnpm runs as ${found.label} (through ${bin})`);
}
