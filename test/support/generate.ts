import path from "node:path";
import { runCli, tempDir } from "./cli.js";
import { pnpm } from "./pnpm.js";

/** Generates a project with the built CLI (or another, `cli`) into a fresh temp folder and returns its path. */
export async function generateProject(opts: {
  queue: boolean;
  install?: boolean;
  git?: boolean;
  name?: string;
  cli?: string;
}): Promise<string> {
  const dir = path.join(await tempDir(), opts.name ?? "my-app");
  const args = [dir, "--yes", opts.git ? "--git" : "--no-git", "--no-install", opts.queue ? "--queue" : "--no-queue"];
  const result = await runCli(args, { cli: opts.cli });
  if (result.exitCode !== 0) throw new Error(`create-scaffold failed (${result.exitCode}):\n${result.all}`);
  if (opts.install) await pnpm(["install", "--prefer-offline"], { cwd: dir });
  return dir;
}
