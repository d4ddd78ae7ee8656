import { execa } from "execa";
import { type PnpmCommand, packageManagerEnv, setUpPnpm } from "./pnpm.js";

export type StepResult = { ok: true; note?: string } | { ok: false; message: string };

/** The install's outcome, with the pnpm it ran: the user's next commands run the same one. */
export type InstallResult = StepResult & { pnpm?: PnpmCommand };

/** `pnpm install` in the new project; stdin is ignored so it can never wait on input. */
export async function installDependencies(projectDir: string): Promise<InstallResult> {
  const setup = await setUpPnpm(projectDir);
  if (!setup) {
    return {
      ok: false,
      message: "pnpm was not found (tried pnpm, corepack pnpm and npx pnpm@10). Install it: npm install --global pnpm@10",
    };
  }
  const { command: pnpm } = setup;
  // --prefer-offline: versions the package cache already knows resolve without asking
  // the registry again (a third less time on a warm cache here); the rest are fetched.
  const result = await execa(pnpm.file, [...pnpm.prefix, "install", "--prefer-offline"], {
    cwd: projectDir,
    stdin: "ignore",
    all: true,
    reject: false,
    env: packageManagerEnv(),
  });
  if (result.exitCode === 0) return { ok: true, pnpm, note: [setup.note, `installed with ${pnpm.label}`].filter(Boolean).join("; ") };
  const tail = (result.all ?? "").trim().split("\n").slice(-15).join("\n");
  return { ok: false, pnpm, message: `${pnpm.label} install failed (exit ${result.exitCode ?? result.signal}):\n${tail}` };
}

/** `git init` + initial commit, skipped when git is missing or the project sits inside another repository. */
export async function initialiseGit(projectDir: string): Promise<StepResult> {
  const git = (args: string[]) => execa("git", args, { cwd: projectDir, stdin: "ignore", reject: false });
  const version = await git(["--version"]).catch(() => undefined);
  if (version?.exitCode !== 0) return { ok: true, note: "git not found: skipped git init" };
  const inside = await git(["rev-parse", "--is-inside-work-tree"]);
  if (inside.exitCode === 0 && inside.stdout.trim() === "true") {
    return { ok: true, note: "already inside a git work tree: skipped git init" };
  }
  // Commit even where no identity is configured, without touching the user's config.
  const identity = (await git(["config", "user.email"])).stdout.trim()
    ? []
    : ["-c", "user.name=create-scaffold", "-c", "user.email=create-scaffold@users.noreply.localhost"];
  for (const args of [
    ["init", "--quiet"],
    ["add", "--all"],
    [...identity, "commit", "--quiet", "--no-verify", "-m", "Initial commit from create-scaffold"],
  ]) {
    const step = await git(args);
    if (step.exitCode !== 0)
      return {
        ok: false,
        message: `git ${args.filter((a) => !a.startsWith("user.") && a !== "-c").join(" ")} failed: ${step.stderr.trim()}`,
      };
  }
  return { ok: true, note: "initialised a git repository with an initial commit" };
}
