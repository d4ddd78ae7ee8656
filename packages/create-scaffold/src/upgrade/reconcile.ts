import path from "node:path";
import { blobId } from "../../../../templates/base/scripts/scaffold-manifest.mjs";
import { mergePackageJson } from "./package-json.js";

/** One thing an update does to one file. */
export type Change =
  | { kind: "add" | "update"; path: string; contents: Buffer }
  | { kind: "delete"; path: string }
  /** A three-way merge of the user's edits with the generator's changes. */
  | { kind: "merge"; path: string; contents: Buffer; notes: string[] }
  /** Both changed the same lines: the file gets conflict markers. */
  | { kind: "conflict"; path: string; contents: Buffer }
  /** --force over an edited generator-owned file: the user's version is kept beside it (`origPath`, a free *.orig name). */
  | { kind: "replace-keeping-orig"; path: string; contents: Buffer | undefined; orig: Buffer; origPath: string }
  /** Left as the user has it, and why. */
  | { kind: "keep"; path: string; reason: string };

export interface ReconcileInput {
  /**
   * The project as it is: every file the old or the new version generates that exists,
   * and every file inside generator-owned folders — text as git stores it (LF ends).
   */
  ours: ReadonlyMap<string, Buffer>;
  /**
   * What the project's generator version generated: git blob ids by path (from
   * .scaffold.json), and the texts, asked for only where both sides changed a file.
   */
  base: { ids: Readonly<Record<string, string>>; text(file: string): Promise<Buffer | undefined> };
  /** What the running generator generates for the project's answers. */
  theirs: ReadonlyMap<string, Buffer>;
  /** Folders owned by the generator ("packages/core/"): replaced, never merged. */
  owned: readonly string[];
  merge: (sides: { ours: Buffer; base: Buffer; theirs: Buffer }) => Promise<{ contents: Buffer; conflicts: boolean }>;
}

/**
 * Decides what happens to every file the old or the new version generates, and to
 * files the user added inside generator-owned folders. It reads nothing but through
 * `base` and `merge`, and writes nothing.
 */
export async function reconcile(input: ReconcileInput): Promise<Change[]> {
  const { ours, base, theirs, owned } = input;
  const paths = [...new Set([...Object.keys(base.ids), ...theirs.keys(), ...ours.keys()])].sort();
  const changes: Change[] = [];
  for (const file of paths) {
    const isOwned = owned.some((prefix) => file.startsWith(prefix));
    const change = isOwned ? replaceOwned(file, input) : await mergeUserFile(file, input);
    if (change) changes.push(change);
  }
  return changes;
}

/** Generator-owned: the new version replaces the old; an edit is kept aside as *.orig. */
function replaceOwned(file: string, { ours: project, base, theirs }: ReconcileInput): Change | undefined {
  const ours = project.get(file);
  const now = theirs.get(file);
  if (ours && now && ours.equals(now)) return undefined;
  // Versions kept by an earlier --force stay where they are, for the user to deal with.
  if (ours && now === undefined && /\.orig(\.\d+)?$/.test(file))
    return { kind: "keep", path: file, reason: "kept aside by an earlier update --force" };
  // A file the user changed or added (what `check` reports) is kept aside, never lost.
  if (ours && blobId(ours) !== base.ids[file]) {
    return { kind: "replace-keeping-orig", path: file, contents: now, orig: ours, origPath: freeOrigPath(project, file) };
  }
  if (now === undefined) return ours === undefined ? undefined : { kind: "delete", path: file };
  return { kind: ours === undefined ? "add" : "update", path: file, contents: now };
}

/** The user's files (root config, README, app): their edits survive, the generator's changes arrive. */
async function mergeUserFile(file: string, { ours: project, base, theirs, merge }: ReconcileInput): Promise<Change | undefined> {
  const ours = project.get(file);
  const wasId = base.ids[file];
  const now = theirs.get(file);
  if (now !== undefined && wasId === blobId(now)) return undefined; // the generator changed nothing
  if (ours === undefined) {
    if (now === undefined) return undefined;
    if (wasId === undefined) return { kind: "add", path: file, contents: now };
    return { kind: "keep", path: file, reason: "you deleted it; the new version changes it (not restored)" };
  }
  if (now !== undefined && ours.equals(now)) return undefined;
  const unedited = wasId !== undefined && blobId(ours) === wasId;
  if (now === undefined) {
    if (unedited) return { kind: "delete", path: file };
    return { kind: "keep", path: file, reason: "the new version no longer generates it; you changed it, so it stays" };
  }
  if (unedited) return { kind: "update", path: file, contents: now };

  // Both sides changed the file. Without the old version's text, merge as if it were empty.
  const was = await base.text(file);
  if (path.posix.basename(file) === "package.json" && was !== undefined) {
    const merged = mergePackageJson(ours, was, now);
    return { kind: "merge", path: file, contents: merged.contents, notes: merged.kept };
  }
  const merged = await merge({ ours, base: was ?? Buffer.alloc(0), theirs: now });
  if (merged.conflicts) return { kind: "conflict", path: file, contents: merged.contents };
  const notes = was === undefined && wasId !== undefined ? ["the old version's text was not found: merged against an empty file"] : [];
  return { kind: "merge", path: file, contents: merged.contents, notes };
}

/** `<file>.orig`, or `<file>.orig.1`, … when an earlier update already kept one (it lies in an owned folder, so in `project`). */
function freeOrigPath(project: ReadonlyMap<string, Buffer>, file: string): string {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${file}.orig` : `${file}.orig.${n}`;
    if (!project.has(candidate)) return candidate;
  }
}
