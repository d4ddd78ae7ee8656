import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";

/** Whether `root` is in a git work tree, and if so which of its files have uncommitted changes. */
export async function gitStatus(root: string): Promise<{ repo: false } | { repo: true; dirty: string[] }> {
  const inside = await execa("git", ["rev-parse", "--is-inside-work-tree"], { cwd: root, reject: false });
  if (inside.exitCode !== 0 || inside.stdout.trim() !== "true") return { repo: false };
  const status = await execa("git", ["status", "--porcelain", "--untracked-files=all", "--", "."], { cwd: root });
  return {
    repo: true,
    dirty: status.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => line.slice(3)),
  };
}

/** Contents of the blobs with these ids that the repository holds (the others are left out). */
export async function readBlobs(root: string, ids: readonly string[]): Promise<Map<string, Buffer>> {
  const found = new Map<string, Buffer>();
  if (ids.length === 0) return found;
  // stripFinalNewline: false, here and below: a file's last byte is content, not output formatting.
  const result = await execa("git", ["cat-file", "--batch"], {
    cwd: root,
    input: `${ids.join("\n")}\n`,
    encoding: "buffer",
    stripFinalNewline: false,
    reject: false,
  });
  if (result.exitCode !== 0) return found;
  // Each answer: "<id> blob <size>\n<contents>\n", or "<id> missing\n".
  const out = Buffer.from(result.stdout);
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf(10, at);
    if (end < 0) break;
    const [id = "", type, size] = out.subarray(at, end).toString("utf8").split(" ");
    at = end + 1;
    if (type === undefined || size === undefined) continue; // missing
    const length = Number(size);
    if (type === "blob") found.set(id, out.subarray(at, at + length));
    at += length + 1;
  }
  return found;
}

/**
 * Keeps what this generator version generated in the repository, so a later update
 * finds its merge base even for files merged by hand: the blobs go into git's object
 * store under a commit that `refs/scaffold/base` keeps from garbage collection.
 */
export async function recordBase(root: string, files: readonly { path: string; contents: Buffer }[], message: string): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "create-scaffold-base-"));
  try {
    const paths = await Promise.all(
      files.map(async (file, index) => {
        const temp = path.join(dir, String(index));
        await writeFile(temp, file.contents);
        return temp;
      }),
    );
    const hashed = await execa("git", ["hash-object", "-w", "--no-filters", "--stdin-paths"], { cwd: root, input: paths.join("\n") });
    const ids = hashed.stdout.split("\n");
    const index = { ...process.env, GIT_INDEX_FILE: path.join(dir, "index") };
    const entries = files.map((file, i) => `100644 ${ids[i]}\t${file.path}`).join("\n");
    await execa("git", ["update-index", "--add", "--index-info"], { cwd: root, env: index, input: entries });
    const tree = (await execa("git", ["write-tree"], { cwd: root, env: index })).stdout.trim();
    // Chained to the previous base, so every version's files stay reachable.
    const previous = await execa("git", ["rev-parse", "--verify", "--quiet", "refs/scaffold/base"], { cwd: root, reject: false });
    const parent = previous.exitCode === 0 ? ["-p", previous.stdout.trim()] : [];
    const commit = (await execa("git", ["commit-tree", tree, ...parent, "-m", message], { cwd: root, env: gitIdentity() })).stdout.trim();
    await execa("git", ["update-ref", "refs/scaffold/base", commit], { cwd: root });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A fallback author for the base commit on machines with no git identity set. */
function gitIdentity(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_AUTHOR_NAME: process.env.GIT_AUTHOR_NAME ?? "create-scaffold",
    GIT_AUTHOR_EMAIL: process.env.GIT_AUTHOR_EMAIL ?? "create-scaffold@localhost",
    GIT_COMMITTER_NAME: process.env.GIT_COMMITTER_NAME ?? "create-scaffold",
    GIT_COMMITTER_EMAIL: process.env.GIT_COMMITTER_EMAIL ?? "create-scaffold@localhost",
  };
}

/**
 * A three-way merge of one file with `git merge-file`: where only one side changed
 * a region it wins; where both did, conflict markers (as copier and git merge do).
 */
export async function mergeFile(
  sides: { ours: Buffer; base: Buffer; theirs: Buffer },
  labels: { ours: string; base: string; theirs: string },
): Promise<{ contents: Buffer; conflicts: boolean }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "create-scaffold-merge-"));
  try {
    const [ours, base, theirs] = await Promise.all(
      (["ours", "base", "theirs"] as const).map(async (side) => {
        const file = path.join(dir, side);
        await writeFile(file, sides[side]);
        return file;
      }),
    );
    const args = ["merge-file", "-p", "-L", labels.ours, "-L", labels.base, "-L", labels.theirs, ours!, base!, theirs!];
    const result = await execa("git", args, { encoding: "buffer", stripFinalNewline: false, reject: false });
    // Exit code: the number of conflicts; negative (or > 127) on error.
    if (result.exitCode === undefined || result.exitCode > 127 || result.exitCode < 0) {
      throw new Error(`git merge-file failed: ${Buffer.from(result.stderr).toString()}`);
    }
    return { contents: Buffer.from(result.stdout), conflicts: result.exitCode > 0 };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
