// The generated project's own manifest module: one definition of .scaffold.json.
import { blobId, MANIFEST, type Manifest, serialiseManifest } from "../../../templates/base/scripts/scaffold-manifest.mjs";
import { render } from "./render.js";
import type { FileContents, TemplateFile, Templates } from "./templates.js";
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

/** Files under these prefixes belong to the generator: `check` reports any change to them. */
export const generatorOwnedPrefixes = ["packages/core/"];

/** Which overlays make up a project: every feature adds one on top of base. */
export function overlaysFor(input: PlanInput): string[] {
  return ["base", ...(input.queue ? ["queue"] : [])];
}

/**
 * npm drops dot-files such as .gitignore from published tarballs, so the
 * templates keep them as _name and the plan restores the dot (.github too, so
 * this repository's tools never take the template workflow for their own).
 */
function outputPath(templatePath: string): string {
  const withoutSuffix = templatePath.endsWith(".hbs") ? templatePath.slice(0, -".hbs".length) : templatePath;
  return withoutSuffix.replace(/(^|\/)_(gitignore|npmrc)$/, "$1.$2").replace(/^_github\//, ".github/");
}

/** A file's contents, and its blob id when the pack already knows it (rendered files are hashed in planProject). */
function contentsOf(file: TemplateFile, input: PlanInput): FileContents {
  if ("contents" in file) return file;
  return { contents: Buffer.from(render(file.segments, { name: input.name, queue: input.queue, generatorVersion })) };
}

/** Pure: the same input and templates always give byte-identical files. */
export function planProject(input: PlanInput, templates: Templates): PlannedFile[] {
  const byPath = new Map<string, FileContents>();
  for (const overlay of overlaysFor(input)) {
    const files = templates[overlay];
    if (!files) throw new Error(`Template overlay "${overlay}" is missing`);
    for (const [templatePath, file] of files) {
      byPath.set(outputPath(templatePath), contentsOf(file, input));
    }
  }

  // Every generated file's git blob id: `check` compares the owned ones, and `update`
  // finds what an older version generated (its three-way merge base) by these ids.
  const manifest: Manifest = {
    generator: { name: generatorName, version: generatorVersion },
    answers: { name: input.name, queue: input.queue },
    owned: generatorOwnedPrefixes,
    files: Object.fromEntries(
      [...byPath.keys()].sort().map((file) => {
        const { contents, blobId: known } = byPath.get(file)!;
        return [file, known ?? blobId(contents)];
      }),
    ),
  };
  byPath.set(MANIFEST, { contents: serialiseManifest(manifest) });

  return [...byPath.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, { contents }]) => ({ path, contents }));
}
