import { existsSync } from "node:fs";
import { chmod, copyFile, link, mkdir, readdir, symlink } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { findOnPath } from "../../packages/create-scaffold/src/next-steps.js";
import { tempDir } from "./cli.js";
import { freshMachine } from "./fresh-machine.js";

/** Commands a machine with only Node does not have, or has only from Node itself. */
const packageManagers = new Set(["node", "nodejs", "npm", "npx", "corepack", "pnpm", "pnpx", "yarn", "yarnpkg"]);
const systemFolders = ["/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"];

export interface BareMachine {
  /** The environment of a shell on that machine: PATH holds its two folders, nothing else. */
  env: NodeJS.ProcessEnv;
  /** Node's folder (node, npm, npx, and corepack when asked for): where `corepack enable` writes its links. */
  nodeBin: string;
}

/**
 * A machine with nothing but Node, as far as PATH goes: Node's own commands (node, npm,
 * npx, and corepack as Node 20–24 ship it) in one folder, every other system command
 * in another, and no pnpm or yarn. The same npm cache and corepack downloads as this
 * machine's, so a test pays for no download twice.
 */
export async function bareMachine({ corepack }: { corepack: boolean }): Promise<BareMachine> {
  const root = await tempDir("create-scaffold-bare-");
  const nodeBin = path.join(root, "node-bin");
  const systemBin = path.join(root, "system-bin");
  await mkdir(nodeBin);
  await mkdir(systemBin);

  // A file of its own, not a symlink: Node resolves its own path (process.execPath), and
  // yarn puts that folder first on its scripts' PATH. Through a symlink that would be the
  // system's folder, where the CLI's `corepack enable pnpm` would then write.
  const node = path.join(nodeBin, "node");
  await link(process.execPath, node).catch(async () => {
    await copyFile(process.execPath, node);
    await chmod(node, 0o755);
  });
  for (const tool of ["npm", "npx", ...(corepack ? ["corepack"] : [])]) {
    const found = findOnPath(tool);
    if (!found) throw new Error(`${tool} is not on PATH: this Node installation lacks it`);
    await symlink(found, path.join(nodeBin, tool));
  }

  const linked = new Set<string>();
  for (const { folder, name } of await systemCommands()) {
    if (packageManagers.has(name) || linked.has(name)) continue;
    linked.add(name);
    await symlink(path.join(folder, name), path.join(systemBin, name));
  }

  const { PATH: _path, COREPACK_ENABLE_DOWNLOAD_PROMPT: _prompt, ...rest } = withoutPackageManagerVariables(freshMachine);
  return {
    nodeBin,
    env: {
      ...rest,
      ...(await corepackSettings()),
      PATH: [nodeBin, systemBin].join(path.delimiter),
      CI: "true",
      // npm's `yes = false` setting, as many users have it: nothing may count on npx asking, or not asking.
      npm_config_yes: "false",
    },
  };
}

let corepackSettingsFound: Promise<NodeJS.ProcessEnv> | undefined;

/**
 * Corepack fetches package managers from the npm registry this machine uses (yarn too,
 * which it would otherwise fetch from its own site), and checks npm's signature on each.
 * A registry mirror that serves packuments without signatures makes every fetch fail:
 * only there is the check turned off, as corepack's error message advises.
 */
function corepackSettings(): Promise<NodeJS.ProcessEnv> {
  corepackSettingsFound ??= (async () => {
    const registry = (await execa("npm", ["config", "get", "registry"], { stdin: "ignore" })).stdout.trim().replace(/\/$/, "");
    const packument = (await (await fetch(`${registry}/pnpm/latest`)).json()) as { dist?: { signatures?: unknown[] } };
    const signed = (packument.dist?.signatures?.length ?? 0) > 0;
    return { COREPACK_NPM_REGISTRY: registry, ...(signed ? {} : { COREPACK_INTEGRITY_KEYS: "0" }) };
  })();
  return corepackSettingsFound;
}

/** The package managers in this machine's own folders: a test on a bare machine must leave them as they were. */
export async function systemPackageManagers(): Promise<string[]> {
  const commands = await systemCommands();
  return commands.flatMap(({ folder, name }) => (packageManagers.has(name) ? [path.join(folder, name)] : [])).sort();
}

/** Every entry of this machine's system folders, in PATH order. */
async function systemCommands(): Promise<{ folder: string; name: string }[]> {
  const folders = systemFolders.filter((dir) => existsSync(dir));
  const listed = await Promise.all(folders.map(async (folder) => (await readdir(folder)).map((name) => ({ folder, name }))));
  return listed.flat();
}

/** Makes `pnpm` (or yarn) a command on that machine the way its docs say: `corepack enable`. */
export async function enableThroughCorepack(machine: BareMachine, packageManager: "pnpm" | "yarn"): Promise<void> {
  await execa("corepack", ["enable", packageManager], { env: machine.env, extendEnv: false, stdin: "ignore" });
}

/** What the package manager running the tests (pnpm, npm) says of itself: a user's shell has none of it. */
function withoutPackageManagerVariables(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([key]) => !/^(npm_|PNPM_|pnpm_)/i.test(key)));
}
