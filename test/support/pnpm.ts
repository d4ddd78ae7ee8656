import { execa, type Options } from "execa";
import { findPnpm, type PnpmCommand } from "../../packages/create-scaffold/src/pnpm.js";

let found: Promise<PnpmCommand | undefined> | undefined;

/** Runs pnpm the way the CLI finds it (pnpm, corepack pnpm, npx pnpm@10). */
export async function pnpm(
  args: string[],
  options: Pick<Options, "cwd" | "env" | "extendEnv" | "reject" | "timeout"> = {},
) {
  found ??= findPnpm();
  const command = await found;
  if (!command) throw new Error("pnpm not found (tried pnpm, corepack pnpm, npx pnpm@10)");
  return execa(command.file, [...command.prefix, ...args], { stdin: "ignore", all: true, ...options });
}
