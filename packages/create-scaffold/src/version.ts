import { readFileSync } from "node:fs";

export const generatorName = "create-scaffold";

/**
 * Read at run time from the package's own package.json (one folder above src/ and
 * dist/ alike), so the version always names the templates shipped beside it.
 */
export const generatorVersion: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
