import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { blobId, listFiles, withLf } from "../../../../templates/base/scripts/scaffold-check.mjs";
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
  root: string;
  /** What the project's generator version generated: git blob ids by path (from .scaffold.json), and the contents found. */
  base: { ids: Readonly<Record<string, string>>; contents: ReadonlyMap<string, Buffer> };
  /** What the running generator generates for the project's answers. */
  theirs: ReadonlyMap<string, Buffer>;
  /** Folders owned by the generator ("packages/core/"): replaced, never merged. */
  owned: readonly string[];
  merge: (sides: { ours: Buffer; base: Buffer; theirs: Buffer }) => Promise<{ contents: Buffer; conflicts: boolean }>;
}

/**
 * Decides what happens to every file the old or the new version generates, and to
 * files the user added inside generator-owned folders. Reads the project; writes nothing.
 */
export async function reconcile(input: ReconcileInput): Promise<Change[]> {
  const { root, base, theirs, owned } = input;
  const isOwned = (file: string) => owned.some((prefix) => file.startsWith(prefix));
  const ownedOnDisk = (await Promise.all(owned.map((prefix) => listFiles(root, prefix)))).flat();
  const paths = [...new Set([...Object.keys(base.ids), ...theirs.keys(), ...ownedOnDisk])].sort();
  const changes: Change[] = [];
  for (const file of paths) {
    // Text as git stores it: a CRLF checkout (core.autocrlf) compares and merges like LF.
    const raw = await readFile(path.join(root, file)).catch(() => undefined);
    const ours = raw && withLf(raw);
    // An owned file the user changed or added (what `check` reports) is kept aside, never lost.
    const drifted = ours !== undefined && blobId(ours) !== base.ids[file];
    const change = isOwned(file) ? replaceOwned(root, file, ours, theirs.get(file), drifted) : await mergeUserFile(file, ours, input);
    if (change) changes.push(change);
  }
  return changes;
}

/** Generator-owned: the new version replaces the old; an edit is kept aside as *.orig. */
function replaceOwned(root: string, file: string, ours: Buffer | undefined, now: Buffer | undefined, drifted: boolean): Change | undefined {
  if (ours && now && ours.equals(now)) return undefined;
  // Versions kept by an earlier --force stay where they are, for the user to deal with.
  if (ours && now === undefined && /\.orig(\.\d+)?$/.test(file)) return { kind: "keep", path: file, reason: "kept aside by an earlier update --force" };
  if (ours && drifted) return { kind: "replace-keeping-orig", path: file, contents: now, orig: ours, origPath: freeOrigPath(root, file) };
  if (now === undefined) return ours === undefined ? undefined : { kind: "delete", path: file };
  return { kind: ours === undefined ? "add" : "update", path: file, contents: now };
}

/** The user's files (root config, README, app): their edits survive, the generator's changes arrive. */
async function mergeUserFile(file: string, ours: Buffer | undefined, { base, theirs, merge }: ReconcileInput): Promise<Change | undefined> {
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
  const was = base.contents.get(file);
  if (path.posix.basename(file) === "package.json" && was !== undefined) {
    const merged = mergePackageJson(ours, was, now);
    return { kind: "merge", path: file, contents: merged.contents, notes: merged.kept };
  }
  const merged = await merge({ ours, base: was ?? Buffer.alloc(0), theirs: now });
  if (merged.conflicts) return { kind: "conflict", path: file, contents: merged.contents };
  const notes = was === undefined && wasId !== undefined ? ["the old version's text was not in git: merged against an empty file"] : [];
  return { kind: "merge", path: file, contents: merged.contents, notes };
}

/** `<file>.orig`, or `<file>.orig.1`, … when an earlier update already kept one. */
function freeOrigPath(root: string, file: string): string {
  for (let n = 0; ; n++) {
    const candidate = n === 0 ? `${file}.orig` : `${file}.orig.${n}`;
    if (!existsSync(path.join(root, candidate))) return candidate;
  }
}
