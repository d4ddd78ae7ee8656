import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { mkdir, rename, rm } from "node:fs/promises";
import path from "node:path";
import type { PlannedFile } from "./plan.js";

/**
 * Writes a plan so that a failure at any point leaves nothing half-written:
 * every file is rendered into a temporary directory beside the target (same
 * file system, so the final moves are renames), and only a complete tree is
 * moved into place.
 */
export async function writePlan(files: readonly PlannedFile[], targetDir: string, targetExists: boolean): Promise<void> {
  const parent = path.dirname(targetDir);
  await mkdir(parent, { recursive: true });
  // Not mkdtemp: its 0700 mode would become the project's. mkdir honours the umask.
  const staging = path.join(parent, `.${path.basename(targetDir)}.create-scaffold-${randomBytes(4).toString("hex")}`);
  await mkdir(staging);
  const removeStaging = () => rm(staging, { recursive: true, force: true });
  const onSignal = () => {
    // Synchronous exit paths cannot await: remove what we can, then leave.
    void removeStaging().finally(() => process.exit(130));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  let stagingLeft = true;
  try {
    stage(files, staging);
    if (targetExists) await moveFilesInto(files, staging, targetDir);
    else {
      await rename(staging, targetDir);
      stagingLeft = false; // it is the project now
    }
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // Only if it is still there: rm loads Node's rimraf (about 1 ms) even for a folder that is gone.
    if (stagingLeft) await removeStaging();
  }
}

/**
 * One synchronous pass: every folder once, parents first, then the files. Measured as
 * fast as the same writes issued all at once through libuv's thread pool (the file
 * system's journal takes the creates one at a time either way), and simpler; and plain
 * mkdir on a known list is about twice as fast as `recursive`, which probes each path.
 */
function stage(files: readonly PlannedFile[], staging: string): void {
  for (const folder of foldersOf(files)) mkdirSync(path.join(staging, ...folder.split("/")));
  // A test hook: fail part-way through, to prove a failed write leaves nothing.
  const failAfter = Number(process.env.CREATE_SCAFFOLD_FAIL_AFTER_FILES ?? Number.NaN);
  let written = 0;
  for (const file of files) {
    if (written === failAfter) throw new Error(`Simulated failure after ${written} files (CREATE_SCAFFOLD_FAIL_AFTER_FILES)`);
    writeFileSync(path.join(staging, ...file.path.split("/")), file.contents);
    written++;
  }
}

/** Every folder the files need, each parent before its children ("a" sorts before "a/b"). */
function foldersOf(files: readonly PlannedFile[]): string[] {
  const folders = new Set<string>();
  for (const file of files) {
    for (let end = file.path.lastIndexOf("/"); end > 0; end = file.path.lastIndexOf("/", end - 1)) {
      const folder = file.path.slice(0, end);
      if (folders.has(folder)) break; // its parents are in already
      folders.add(folder);
    }
  }
  return [...folders].sort();
}

/**
 * Into an existing directory (empty but for harmless entries, or with
 * --force): move each staged file over its destination and touch nothing else.
 */
async function moveFilesInto(files: readonly PlannedFile[], staging: string, targetDir: string): Promise<void> {
  for (const file of files) {
    const segments = file.path.split("/");
    const destination = path.join(targetDir, ...segments);
    await mkdir(path.dirname(destination), { recursive: true });
    await rename(path.join(staging, ...segments), destination);
  }
}
