import { describe, expect, it } from "vitest";
import { compareVersions } from "../../packages/create-scaffold/src/version.js";

describe("compareVersions", () => {
  it.each<[string, string, -1 | 0 | 1]>([
    ["0.1.0", "0.2.0", -1],
    ["0.2.0", "0.1.0", 1],
    ["1.2.3", "1.2.3", 0],
    ["0.9.0", "0.10.0", -1], // numerically, not as text
    ["1.0.0", "0.99.99", 1],
    ["2.0.0-rc.1", "2.0.0", 0], // pre-release tags are not ordered
    ["1.2", "1.2.0", 0],
    ["1.2.3+build.5", "1.2.4", -1],
  ])("%s against %s is %i", (a, b, expected) => {
    expect(compareVersions(a, b)).toBe(expected);
  });
});
