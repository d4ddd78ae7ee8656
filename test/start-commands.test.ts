import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type BareMachine, bareMachine, enableThroughCorepack, systemPackageManagers } from "./support/bare-machine.js";
import { tempDir } from "./support/cli.js";
import { packCli } from "./support/pack.js";
import { startVerdaccio, type Verdaccio } from "./support/verdaccio.js";

/**
 * Every documented way to start the CLI, from the packed tarball, on a machine with
 * nothing but Node (no pnpm, no yarn on PATH): each generates and installs a project,
 * and the pnpm command its "Next steps" name then works on that machine. The `create`
 * forms resolve `create-scaffold` by name: it is published to a Verdaccio the file starts.
 */

let tarball: string;
let registry: Verdaccio;
let systemBefore: string[];

beforeAll(async () => {
  systemBefore = await systemPackageManagers();
  tarball = await packCli();
  registry = await startVerdaccio();
  await registry.publish(tarball);
}, 300_000);

afterAll(async () => {
  await registry?.stop();
});

interface StartForm {
  /** The command as a user types it (my-app stands for the project's folder). */
  form: string;
  command: (project: string) => string[];
  /** What the machine has besides Node's npm and npx. */
  machine: { corepack: boolean; enabled?: "pnpm" | "yarn" };
  /** The pnpm the CLI ends up with, which the next steps must name. */
  pnpm: string;
  /** Output that says how it got there, when it set pnpm up. */
  says?: string;
}

const flags = ["--yes", "--no-queue", "--no-git"];

const forms: StartForm[] = [
  {
    form: "npx ./create-scaffold-<version>.tgz my-app (Node with corepack: pnpm is set up)",
    command: (project) => ["npx", "--yes", `./${path.basename(tarball)}`, project, ...flags],
    machine: { corepack: true },
    pnpm: "pnpm",
    says: "`corepack enable pnpm` set it up",
  },
  {
    form: "npm exec --package=./create-scaffold-<version>.tgz -- create-scaffold my-app (Node without corepack)",
    command: (project) => ["npm", "exec", "--yes", `--package=./${path.basename(tarball)}`, "--", "create-scaffold", project, ...flags],
    machine: { corepack: false },
    pnpm: "npx --yes pnpm@10",
  },
  {
    form: "npm init scaffold my-app",
    command: (project) => ["npm", "init", "--yes", "scaffold", "--", project, ...flags],
    machine: { corepack: true },
    pnpm: "pnpm",
  },
  {
    form: "npm create scaffold my-app (Node without corepack)",
    command: (project) => ["npm", "create", "--yes", "scaffold", "--", project, ...flags],
    machine: { corepack: false },
    pnpm: "npx --yes pnpm@10",
  },
  {
    form: "pnpm create scaffold my-app",
    command: (project) => ["pnpm", "create", "scaffold", project, ...flags],
    machine: { corepack: true, enabled: "pnpm" },
    pnpm: "pnpm",
  },
  {
    form: "pnpm dlx create-scaffold my-app",
    command: (project) => ["pnpm", "dlx", "create-scaffold", project, ...flags],
    machine: { corepack: true, enabled: "pnpm" },
    pnpm: "pnpm",
  },
  {
    form: "yarn dlx create-scaffold my-app (yarn through corepack)",
    command: (project) => ["yarn", "dlx", "create-scaffold", project, ...flags],
    machine: { corepack: true, enabled: "yarn" },
    pnpm: "pnpm",
  },
];

async function prepare(form: StartForm): Promise<BareMachine> {
  const machine = await bareMachine({ corepack: form.machine.corepack });
  Object.assign(machine.env, {
    npm_config_registry: registry.url,
    // pnpm 11 and later read PNPM_CONFIG_*, not npm's variables.
    PNPM_CONFIG_REGISTRY: registry.url,
    YARN_NPM_REGISTRY_SERVER: registry.url.replace(/\/$/, ""),
    YARN_UNSAFE_HTTP_WHITELIST: "127.0.0.1",
    YARN_ENABLE_TELEMETRY: "0",
    COREPACK_ENABLE_DOWNLOAD_PROMPT: "0",
  });
  if (form.machine.enabled) await enableThroughCorepack(machine, form.machine.enabled);
  return machine;
}

describe("each documented start command, on a machine with nothing but Node", () => {
  for (const form of forms) {
    it(form.form, async () => {
      const machine = await prepare(form);
      const project = path.join(await tempDir("create-scaffold-start-"), "my-app");
      const [file, ...args] = form.command(project);
      const run = await execa(file as string, args, {
        cwd: path.dirname(tarball),
        env: machine.env,
        extendEnv: false,
        stdin: "ignore",
        all: true,
        reject: false,
        timeout: 300_000,
      });
      const output = String(run.all);
      expect(run.exitCode, output).toBe(0);
      expect(existsSync(path.join(project, "node_modules/.pnpm")), output).toBe(true);
      expect(output).toContain(
        `Next steps:\n  cd ${path.relative(path.dirname(tarball), project)}\n  ${form.pnpm} dev\n  ${form.pnpm} test`,
      );
      if (form.says) expect(output).toContain(form.says);

      // What the next steps name works on this machine, in the project.
      const [pnpmFile, ...pnpmArgs] = form.pnpm.split(" ");
      const check = await execa(pnpmFile as string, [...pnpmArgs, "check"], {
        cwd: project,
        env: machine.env,
        extendEnv: false,
        stdin: "ignore",
        all: true,
        reject: false,
        timeout: 120_000,
      });
      expect(check.exitCode, check.all).toBe(0);
      expect(check.all).toContain("packages/core is as create-scaffold generated it");
      // Whatever the CLI set up, it set up on the bare machine, not on the one running the tests.
      expect(await systemPackageManagers()).toEqual(systemBefore);
    }, 420_000);
  }
});
