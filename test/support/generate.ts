import path from "node:path";
import { runCli, tempDir } from "./cli.js";
import { pnpm } from "./pnpm.js";

/** Generates a project with the built CLI into a fresh temp folder and returns its path. */
export async function generateProject(opts: { queue: boolean; install?: boolean; name?: string }): Promise<string> {
  const dir = path.join(await tempDir(), opts.name ?? "my-app");
  const result = await runCli([dir, "--yes", "--no-git", "--no-install", opts.queue ? "--queue" : "--no-queue"]);
  if (result.exitCode !== 0) throw new Error(`create-scaffold failed (${result.exitCode}):\n${result.all}`);
  if (opts.install) await pnpm(["install", "--prefer-offline"], { cwd: dir });
  return dir;
}
