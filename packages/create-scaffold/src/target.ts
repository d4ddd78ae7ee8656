import { readdir, stat } from "node:fs/promises";

/** Entries that a fresh folder often has and that generating beside is safe. */
const harmlessEntries = new Set([".git", ".DS_Store", "Thumbs.db", "desktop.ini", ".idea", ".vscode"]);

export type TargetState =
  | { kind: "missing" }
  | { kind: "empty" } // nothing, or only harmless entries
  | { kind: "not-a-directory" }
  | { kind: "occupied"; conflicts: string[] };

export async function inspectTarget(dir: string): Promise<TargetState> {
  const info = await stat(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw error;
  });
  if (!info) return { kind: "missing" };
  if (!info.isDirectory()) return { kind: "not-a-directory" };
  const conflicts = (await readdir(dir)).filter((entry) => !harmlessEntries.has(entry)).sort();
  return conflicts.length === 0 ? { kind: "empty" } : { kind: "occupied", conflicts };
}
