import { describe, expect, it } from "vitest";
import { mergeFile } from "../../packages/create-scaffold/src/upgrade/git.js";
import { type Change, reconcile } from "../../packages/create-scaffold/src/upgrade/reconcile.js";
import { blobId } from "../../templates/base/scripts/scaffold-manifest.mjs";

/**
 * The three-way decisions of `update`, one file at a time: what the old version
 * generated (base), what the user has (ours) and what the new version generates
 * (theirs). `undefined` means "no such file" on that side.
 */
interface Sides {
  base?: string;
  ours?: string;
  theirs?: string;
  /** The old version's text is known only by its id (not found in git or the registry). */
  baseTextLost?: boolean;
  /** Other files already on disk (e.g. a .orig kept by an earlier update). */
  alsoOnDisk?: string[];
}

const labels = { ours: "yours", base: "old", theirs: "new" };

async function decide(file: string, { base, ours, theirs, baseTextLost, alsoOnDisk = [] }: Sides): Promise<Change[]> {
  const onDisk = new Map<string, Buffer>(alsoOnDisk.map((other) => [other, Buffer.from("kept\n")]));
  if (ours !== undefined) onDisk.set(file, Buffer.from(ours));
  return reconcile({
    ours: onDisk,
    base: {
      ids: base === undefined ? {} : { [file]: blobId(Buffer.from(base)) },
      text: async (asked) => (asked === file && base !== undefined && !baseTextLost ? Buffer.from(base) : undefined),
    },
    theirs: theirs === undefined ? new Map() : new Map([[file, Buffer.from(theirs)]]),
    owned: ["packages/core/"],
    merge: (sides) => mergeFile(sides, labels),
  });
}

/** A change as the summary shows it, with text instead of bytes. */
function shown(change: Change) {
  const text = (contents: Buffer | undefined) => contents?.toString("utf8");
  switch (change.kind) {
    case "add":
    case "update":
    case "conflict":
      return { kind: change.kind, path: change.path, text: text(change.contents) };
    case "merge":
      return { kind: change.kind, path: change.path, text: text(change.contents), notes: change.notes };
    case "replace-keeping-orig":
      return { kind: change.kind, path: change.path, text: text(change.contents), orig: text(change.orig), origPath: change.origPath };
    default:
      return change;
  }
}

const three = "one\ntwo\nthree\n";

describe("files the user owns (merged)", () => {
  const file = "packages/app/src/app.ts";
  it.each<[string, Sides, ReturnType<typeof shown>[]]>([
    ["the generator changed nothing, the user did: left alone", { base: three, ours: "mine\n", theirs: three }, []],
    [
      "unedited, changed by the generator: updated",
      { base: three, ours: three, theirs: "one\n2\nthree\n" },
      [{ kind: "update", path: file, text: "one\n2\nthree\n" }],
    ],
    [
      "both changed, different lines: merged",
      { base: three, ours: "ONE\ntwo\nthree\n", theirs: "one\ntwo\nTHREE\n" },
      [{ kind: "merge", path: file, text: "ONE\ntwo\nTHREE\n", notes: [] }],
    ],
    [
      "both changed the same line: conflict markers",
      { base: three, ours: "one\nmine\nthree\n", theirs: "one\ntheirs\nthree\n" },
      [{ kind: "conflict", path: file, text: "one\n<<<<<<< yours\nmine\n=======\ntheirs\n>>>>>>> new\nthree\n" }],
    ],
    ["new in this version: added", { theirs: three }, [{ kind: "add", path: file, text: three }]],
    ["already as the new version has it: nothing to do", { base: three, ours: "one\n2\nthree\n", theirs: "one\n2\nthree\n" }, []],
    [
      "deleted by the user, changed by the generator: kept deleted",
      { base: three, theirs: "changed\n" },
      [{ kind: "keep", path: file, reason: "you deleted it; the new version changes it (not restored)" }],
    ],
    ["deleted by the user, unchanged by the generator: nothing", { base: three, theirs: three }, []],
    ["no longer generated, unedited: deleted", { base: three, ours: three }, [{ kind: "delete", path: file }]],
    [
      "no longer generated, edited: kept",
      { base: three, ours: "mine\n" },
      [{ kind: "keep", path: file, reason: "the new version no longer generates it; you changed it, so it stays" }],
    ],
    [
      "both changed, the old text lost: merged against an empty file, so every difference conflicts",
      { base: three, baseTextLost: true, ours: "one\ntwo\nthree\nfour\n", theirs: "one\ntwo\nTHREE\n" },
      [{ kind: "conflict", path: file, text: "one\ntwo\n<<<<<<< yours\nthree\nfour\n=======\nTHREE\n>>>>>>> new\n" }],
    ],
  ])("%s", async (_label, sides, expected) => {
    expect((await decide(file, sides)).map(shown)).toEqual(expected);
  });

  it("merges package.json entry by entry, keeping what both changed as the user has it", async () => {
    const base = { name: "@repo/app", dependencies: { hono: "4.0.0", pg: "8.0.0" }, scripts: { dev: "tsx src/main.ts" } };
    const ours = { ...base, dependencies: { ...base.dependencies, zod: "3.0.0", pg: "8.1.0" } };
    const theirs = { ...base, dependencies: { hono: "4.1.0", drizzle: "1.0.0", pg: "8.2.0" }, scripts: { dev: "tsx watch src/main.ts" } };
    const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;
    const [change] = (await decide("packages/app/package.json", { base: json(base), ours: json(ours), theirs: json(theirs) })).map(shown);
    expect(change).toMatchObject({ kind: "merge", notes: ['dependencies.pg: kept (yours is "8.1.0"); the generator now has "8.2.0"'] });
    expect(JSON.parse((change as { text: string }).text)).toEqual({
      name: "@repo/app",
      dependencies: { drizzle: "1.0.0", hono: "4.1.0", pg: "8.1.0", zod: "3.0.0" },
      scripts: { dev: "tsx watch src/main.ts" },
    });
  });
});

describe("files the generator owns (replaced)", () => {
  const file = "packages/core/src/index.ts";
  it.each<[string, Sides, ReturnType<typeof shown>[]]>([
    ["unedited, changed: updated", { base: three, ours: three, theirs: "new\n" }, [{ kind: "update", path: file, text: "new\n" }]],
    ["unedited, no longer generated: deleted", { base: three, ours: three }, [{ kind: "delete", path: file }]],
    ["new in this version: added", { theirs: three }, [{ kind: "add", path: file, text: three }]],
    ["as the new version has it: nothing", { base: three, ours: "new\n", theirs: "new\n" }, []],
    [
      "edited: replaced, the user's version kept as .orig",
      { base: three, ours: "mine\n", theirs: "new\n" },
      [{ kind: "replace-keeping-orig", path: file, text: "new\n", orig: "mine\n", origPath: `${file}.orig` }],
    ],
    [
      "edited again after an earlier --force: the next free .orig name",
      { base: three, ours: "mine\n", theirs: "new\n", alsoOnDisk: [`${file}.orig`] },
      [
        { kind: "replace-keeping-orig", path: file, text: "new\n", orig: "mine\n", origPath: `${file}.orig.1` },
        { kind: "keep", path: `${file}.orig`, reason: "kept aside by an earlier update --force" },
      ],
    ],
    [
      "added by the user: removed, kept as .orig",
      { ours: "mine\n" },
      [{ kind: "replace-keeping-orig", path: file, text: undefined, orig: "mine\n", origPath: `${file}.orig` }],
    ],
  ])("%s", async (_label, sides, expected) => {
    expect((await decide(file, sides)).map(shown)).toEqual(expected);
  });
});
