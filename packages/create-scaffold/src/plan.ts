import { createHash } from "node:crypto";
import Handlebars from "handlebars";
import type { Templates } from "./templates.js";
import { generatorName, generatorVersion } from "./version.js";

export interface PlanInput {
  name: string;
  queue: boolean;
}

export interface PlannedFile {
  /** Relative to the project root, "/"-separated. */
  path: string;
  contents: Buffer;
}

/** Files under these prefixes belong to the generator: hashed in .scaffold.json for `check` and `update`. */
export const generatorOwnedPrefixes = ["packages/core/"];

export const manifestPath = ".scaffold.json";

/** Which overlays make up a project: every feature adds one on top of base. */
export function overlaysFor(input: PlanInput): string[] {
  return ["base", ...(input.queue ? ["queue"] : [])];
}

/**
 * npm drops dot-files such as .gitignore from published tarballs, so the
 * templates keep them as _name and the plan restores the dot.
 */
function outputPath(templatePath: string): string {
  const withoutSuffix = templatePath.endsWith(".hbs") ? templatePath.slice(0, -".hbs".length) : templatePath;
  return withoutSuffix.replace(/(^|\/)_(gitignore|npmrc)$/, "$1.$2");
}

const handlebars = Handlebars.create();

function render(templatePath: string, source: Buffer, input: PlanInput): Buffer {
  if (!templatePath.endsWith(".hbs")) return source;
  // noEscape: these are code and config files, not HTML; strict: a typo in a
  // variable name fails the build instead of rendering an empty string.
  const template = handlebars.compile(source.toString("utf8"), { noEscape: true, strict: true });
  return Buffer.from(template({ ...input, generatorVersion }));
}

function sha256(contents: Buffer): string {
  return createHash("sha256").update(contents).digest("hex");
}

/** Pure: the same input and templates always give byte-identical files. */
export function planProject(input: PlanInput, templates: Templates): PlannedFile[] {
  const byPath = new Map<string, Buffer>();
  for (const overlay of overlaysFor(input)) {
    const files = templates[overlay];
    if (!files) throw new Error(`Template overlay "${overlay}" is missing`);
    for (const [templatePath, source] of files) {
      byPath.set(outputPath(templatePath), render(templatePath, source, input));
    }
  }

  const owned = [...byPath.keys()].filter((file) => generatorOwnedPrefixes.some((prefix) => file.startsWith(prefix))).sort();
  const manifest = {
    generator: { name: generatorName, version: generatorVersion },
    answers: { name: input.name, queue: input.queue },
    files: Object.fromEntries(owned.map((file) => [file, sha256(byPath.get(file)!)])),
  };
  byPath.set(manifestPath, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));

  return [...byPath.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, contents]) => ({ path, contents }));
}
