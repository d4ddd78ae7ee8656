import { describe, expect, it } from "vitest";
import { mergePackageJson } from "../../packages/create-scaffold/src/upgrade/package-json.js";

type Json = Record<string, unknown>;
const bytes = (value: Json) => Buffer.from(JSON.stringify(value));

/** One merge: what the old version generated, what the user has, what the new version generates. */
function merge(base: Json, ours: Json, theirs: Json) {
  const { contents, kept } = mergePackageJson(bytes(ours), bytes(base), bytes(theirs));
  return { merged: JSON.parse(contents.toString("utf8")) as Json, kept };
}

describe("mergePackageJson", () => {
  it.each<[string, Json, Json, Json, Json, string[]]>([
    [
      "the generator bumps a dependency",
      { dependencies: { a: "1" } },
      { dependencies: { a: "1" } },
      { dependencies: { a: "2" } },
      { dependencies: { a: "2" } },
      [],
    ],
    [
      "the user adds one of their own",
      { dependencies: { a: "1" } },
      { dependencies: { a: "1", mine: "3" } },
      { dependencies: { a: "1" } },
      { dependencies: { a: "1", mine: "3" } },
      [],
    ],
    [
      "both add, in name order as pnpm writes them",
      { dependencies: { b: "1" } },
      { dependencies: { b: "1", z: "1" } },
      { dependencies: { b: "1", a: "1" } },
      { dependencies: { a: "1", b: "1", z: "1" } },
      [],
    ],
    [
      "the generator removes a script the user left alone",
      { scripts: { x: "x", y: "y" } },
      { scripts: { x: "x", y: "y" } },
      { scripts: { x: "x" } },
      { scripts: { x: "x" } },
      [],
    ],
    [
      "the generator removes a script the user edited: theirs kept, and said so",
      { scripts: { x: "x" } },
      { scripts: { x: "mine" } },
      { scripts: {} },
      { scripts: { x: "mine" } },
      ['scripts.x: kept (yours is "mine"); the generator now has none'],
    ],
    [
      "both change one entry: the user's value kept, and said so",
      { dependencies: { a: "1" } },
      { dependencies: { a: "1.5" } },
      { dependencies: { a: "2" } },
      { dependencies: { a: "1.5" } },
      ['dependencies.a: kept (yours is "1.5"); the generator now has "2"'],
    ],
    [
      "the user removed what the generator changes: left removed, and said so",
      { scripts: { x: "x" } },
      { scripts: {} },
      { scripts: { x: "y" } },
      { scripts: {} },
      ['scripts.x: kept (you removed it); the generator now has "y"'],
    ],
    ["both make the same change: no note", { version: "1" }, { version: "2" }, { version: "2" }, { version: "2" }, []],
    ["a new section", { name: "x" }, { name: "x" }, { name: "x", engines: { node: ">=20" } }, { name: "x", engines: { node: ">=20" } }, []],
  ])("%s", (_label, base, ours, theirs, merged, kept) => {
    expect(merge(base, ours, theirs)).toEqual({ merged, kept });
  });

  it("keeps the user's key order outside dependency maps", () => {
    const { merged } = merge({ scripts: { b: "1" } }, { scripts: { z: "1", b: "1" } }, { scripts: { b: "1", a: "1" } });
    expect(Object.keys(merged.scripts as Json)).toEqual(["z", "b", "a"]);
  });
});
