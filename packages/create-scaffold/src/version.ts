import { readFileSync } from "node:fs";

export const generatorName = "create-scaffold";

/**
 * Read at run time from the package's own package.json (one folder above src/ and
 * dist/ alike), so the version always names the templates shipped beside it.
 */
export const generatorVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;

/** -1, 0 or 1 as version a is older than, equal to or newer than b (major.minor.patch; pre-release tags ignored). */
export function compareVersions(a: string, b: string): number {
  const parts = (version: string) =>
    [...version.split(/[.+-]/).slice(0, 3), "0", "0"].slice(0, 3).map((part) => Number.parseInt(part, 10) || 0);
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i++) {
    if (x[i]! !== y[i]!) return x[i]! < y[i]! ? -1 : 1;
  }
  return 0;
}
