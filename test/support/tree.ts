import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { LOCAL_STATE } from "../../templates/base/scripts/scaffold-check.mjs";

const skipped = new Set([".git", ...LOCAL_STATE]);

/**
 * sha256 of every file under dir (relative path → hash), leaving out git, installed
 * and generated state: comparing two of these proves a run changed nothing, or that
 * two projects hold the same files.
 */
export async function hashTree(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  async function walk(sub: string): Promise<void> {
    for (const entry of await readdir(path.join(dir, sub), { withFileTypes: true })) {
      if (skipped.has(entry.name)) continue;
      const relative = path.join(sub, entry.name);
      if (entry.isDirectory()) await walk(relative);
      else if (entry.isFile())
        files.set(
          relative,
          createHash("sha256")
            .update(await readFile(path.join(dir, relative)))
            .digest("hex"),
        );
    }
  }
  await walk("");
  return files;
}
