import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LOCAL_STATE } from "../../../templates/base/scripts/scaffold-check.mjs";
import { compileTemplate } from "./template-compile.js";
import { overlayNames, type TemplateFile, type Templates } from "./templates.js";

/** The templates' source, in this repository: what the build packs and the tests read. */
export const templatesDir = fileURLToPath(new URL("../../../templates", import.meta.url));

/**
 * Whether a path inside a template tree lies in a folder that running tools leave
 * there (installs, caches, builds): never part of a generated project. The same
 * folders `check` ignores inside packages/core.
 */
export function isLocalState(relativePath: string): boolean {
  return relativePath.split(path.sep).some((segment) => LOCAL_STATE.has(segment));
}

/** Reads a template folder (one subfolder per overlay), compiling each .hbs file. */
export async function loadTemplates(dir: string = templatesDir, overlays: readonly string[] = overlayNames): Promise<Templates> {
  const templates: Templates = {};
  for (const overlay of overlays) {
    const root = path.join(dir, overlay);
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    const files = entries
      .filter((entry) => entry.isFile() && !isLocalState(path.relative(root, entry.parentPath)))
      .map((entry) => path.join(entry.parentPath, entry.name))
      .sort(); // a stable order whatever the file system lists first
    const contents = await Promise.all(files.map((file) => readFile(file)));
    templates[overlay] = new Map(
      files.map((file, index) => {
        const templatePath = path.relative(root, file).split(path.sep).join("/");
        const source = contents[index]!;
        const entry: TemplateFile = templatePath.endsWith(".hbs")
          ? { segments: compileTemplate(source.toString("utf8"), `${overlay}/${templatePath}`) }
          : { contents: source };
        return [templatePath, entry];
      }),
    );
  }
  return templates;
}
