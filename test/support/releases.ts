import { mkdir, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";
import { generatorVersion } from "../../packages/create-scaffold/src/version.js";
import { tempDir } from "./cli.js";
import { repoRoot } from "./paths.js";
import { pnpm } from "./pnpm.js";
import type { Published } from "./registry.js";

const CLI_PACKAGE = "packages/create-scaffold/package.json";

/** A release of the generator as it was published: built from this repository's history. */
export interface Release extends Published {
  version: string;
  /** The commit it was built from: the last one before the version changed. */
  commit: string;
  /** The bundled CLI, to run with node. */
  cli: string;
}

const git = (args: string[]) => execa("git", args, { cwd: repoRoot });

/**
 * The last commit of the release before this checkout's version: the parent of the
 * commit that changed the CLI's version to this one (HEAD itself while that change
 * is not committed yet).
 */
export async function previousReleaseCommit(): Promise<{ version: string; commit: string }> {
  if ((await git(["rev-parse", "--is-shallow-repository"])).stdout.trim() === "true") {
    throw new Error("The repository is a shallow clone: the previous release is built from git history (git fetch --unshallow).");
  }
  const versionAt = async (revision: string) => {
    const shown = await execa("git", ["show", `${revision}:${CLI_PACKAGE}`], { cwd: repoRoot, reject: false });
    return shown.exitCode === 0 ? (JSON.parse(shown.stdout) as { version: string }).version : undefined;
  };
  const commitOf = async (revision: string) => (await git(["rev-parse", revision])).stdout.trim();
  const atHead = await versionAt("HEAD");
  if (atHead && atHead !== generatorVersion) return { version: atHead, commit: await commitOf("HEAD") };
  for (const commit of (await git(["log", "--format=%H", "--", CLI_PACKAGE])).stdout.split("\n").filter(Boolean)) {
    const before = await versionAt(`${commit}^`);
    if (before && before !== generatorVersion) return { version: before, commit: await commitOf(`${commit}^`) };
  }
  throw new Error(`No earlier version than ${generatorVersion} in the history of ${CLI_PACKAGE}.`);
}

/**
 * Checks out `commit` into a temporary folder (git archive: the repository itself is
 * untouched), installs the CLI package's own dependencies and packs it, as `pnpm
 * publish` would: the tarball, and its bundle unpacked beside it.
 */
export async function buildRelease({ version, commit }: { version: string; commit: string }): Promise<Release> {
  const dir = await tempDir(`create-scaffold-${version}-`);
  const archive = path.join(dir, "source.tar");
  await git(["archive", "--format=tar", `--output=${archive}`, commit]);
  const source = path.join(dir, "source");
  await mkdir(source);
  await execa("tar", ["-xf", archive, "-C", source]);
  const packageDir = path.join(source, "packages/create-scaffold");
  const install = await pnpm(["--filter", "create-scaffold", "install", "--frozen-lockfile", "--prefer-offline"], {
    cwd: source,
    reject: false,
  });
  if (install.exitCode !== 0) throw new Error(`installing create-scaffold ${version} (${commit}) failed:\n${install.all}`);
  const pack = await pnpm(["pack", "--pack-destination", dir], { cwd: packageDir, reject: false });
  if (pack.exitCode !== 0) throw new Error(`packing create-scaffold ${version} failed:\n${pack.all}`);
  const tarball = (await readdir(dir)).find((file) => file.endsWith(".tgz"));
  if (!tarball) throw new Error(`pnpm pack of create-scaffold ${version} wrote no tarball`);
  const manifest = JSON.parse(await readFile(path.join(packageDir, "package.json"), "utf8")) as Release["manifest"];
  return { version, commit, tarball: path.join(dir, tarball), manifest, cli: path.join(packageDir, "dist/index.js") };
}
