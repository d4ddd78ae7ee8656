import { execa } from "execa";

/** How to run pnpm on this machine: a command, the arguments that come before pnpm's own, and what a user types. */
export interface PnpmCommand {
  file: string;
  prefix: string[];
  /** The same command as a user would type it in a shell: "pnpm", "corepack pnpm", "npx --yes pnpm@10". */
  label: string;
}

const onPath: PnpmCommand = { file: "pnpm", prefix: [], label: "pnpm" };
const throughCorepack: PnpmCommand = { file: "corepack", prefix: ["pnpm"], label: "corepack pnpm" };
// --yes: npm's `yes = false` setting would otherwise make npx ask, or fail without a terminal.
const throughNpx: PnpmCommand = { file: "npx", prefix: ["--yes", "pnpm@10"], label: "npx --yes pnpm@10" };

/**
 * The variables npm sets to describe the `npm exec` / `npm init` that started this CLI
 * (which command, which package, where). A nested npx reads npm_config_package as its
 * own --package and runs the CLI's tarball instead of pnpm; the rest would make pnpm
 * think npm is running it. The user's own settings (registry, cache, proxy) stay.
 */
const invocationVariables = [
  "npm_command",
  "npm_config_call",
  "npm_config_package",
  "npm_config_user_agent",
  "npm_execpath",
  "npm_lifecycle_event",
  "npm_lifecycle_script",
  "npm_package_json",
];

/** The environment every package-manager command runs in: never prompting, free of the invoking npm's variables. */
export function packageManagerEnv(): NodeJS.ProcessEnv {
  return {
    ...Object.fromEntries(invocationVariables.map((name) => [name, undefined])),
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  };
}

async function answers(command: PnpmCommand, cwd: string): Promise<boolean> {
  const result = await execa(command.file, [...command.prefix, "--version"], {
    cwd,
    stdin: "ignore",
    reject: false,
    timeout: 120_000,
    env: packageManagerEnv(),
  });
  return result.exitCode === 0;
}

/** pnpm is not assumed to be installed: the first of pnpm, corepack pnpm and npx pnpm@10 that answers wins. */
export async function findPnpm(cwd = process.cwd()): Promise<PnpmCommand | undefined> {
  for (const candidate of [onPath, throughCorepack, throughNpx]) {
    if (await answers(candidate, cwd)) return candidate;
  }
  return undefined;
}

export interface PnpmSetup {
  command: PnpmCommand;
  /** What the CLI did to the machine to get there, said to the user. */
  note?: string;
}

/**
 * pnpm for the install and for the user's next commands. Where only corepack has it,
 * `corepack enable pnpm` makes `pnpm` itself a command: it writes two links beside
 * corepack, the setup pnpm's own docs give. That works only where the folder is
 * writable without elevation (the CLI never uses sudo); elsewhere the user keeps
 * `corepack pnpm`.
 */
export async function setUpPnpm(cwd: string): Promise<PnpmSetup | undefined> {
  const command = await findPnpm(cwd);
  if (command !== throughCorepack) return command && { command };
  const enabled = await execa("corepack", ["enable", "pnpm"], { cwd, stdin: "ignore", reject: false, timeout: 60_000 });
  if (enabled.exitCode === 0 && (await answers(onPath, cwd))) {
    return { command: onPath, note: "pnpm was not installed: `corepack enable pnpm` set it up (it runs through Node's corepack)" };
  }
  return { command: throughCorepack };
}
