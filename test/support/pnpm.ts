import { stripVTControlCharacters } from "node:util";
import { execa, type Options } from "execa";
import { findPnpm, type PnpmCommand } from "../../packages/create-scaffold/src/pnpm.js";

let found: Promise<PnpmCommand | undefined> | undefined;

async function pnpmCommand(): Promise<PnpmCommand> {
  found ??= findPnpm();
  const command = await found;
  if (!command) throw new Error("pnpm not found (tried pnpm, corepack pnpm, npx pnpm@10)");
  return command;
}

/** pnpm as a shell command line (for a terminal session), found as the CLI finds it. */
export async function pnpmCommandLine(): Promise<string> {
  const command = await pnpmCommand();
  return [command.file, ...command.prefix].join(" ");
}

/** Runs pnpm the way the CLI finds it (pnpm, corepack pnpm, npx pnpm@10). */
export async function pnpm(args: string[], options: Pick<Options, "cwd" | "env" | "extendEnv" | "reject" | "timeout"> = {}) {
  const command = await pnpmCommand();
  return execa(command.file, [...command.prefix, ...args], { stdin: "ignore", all: true, ...options });
}

/**
 * Runs a script of a generated project (`pnpm test`, `pnpm plop task x`, …) and returns its
 * output, colours stripped; throws with that output when it fails. With `env`, the script
 * sees that environment only.
 */
export async function projectScript(project: string, args: string[], env?: NodeJS.ProcessEnv): Promise<string> {
  const environment = env ? { env: { ...env, NO_COLOR: "1" }, extendEnv: false } : { env: { NO_COLOR: "1" } };
  const result = await pnpm(args, { cwd: project, ...environment, reject: false, timeout: 600_000 });
  const output = stripVTControlCharacters(result.all ?? "");
  if (result.exitCode !== 0) throw new Error(`pnpm ${args.join(" ")} failed (exit ${result.exitCode}) in ${project}:\n${output}`);
  return output;
}

/**
 * Starts a long-running pnpm script (e.g. `dev`) in a process group of its own, as a
 * terminal would. Wrapped in an object: the subprocess is a thenable, and returning it
 * from an async function would wait for it to exit.
 */
export async function spawnPnpm(args: string[], options: Pick<Options, "cwd" | "env" | "extendEnv"> = {}) {
  const command = await pnpmCommand();
  const subprocess = execa(command.file, [...command.prefix, ...args], {
    stdin: "ignore",
    all: true,
    reject: false,
    detached: true,
    ...options,
  });
  return { subprocess };
}
