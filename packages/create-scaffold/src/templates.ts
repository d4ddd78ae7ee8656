import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { LOCAL_STATE } from "../../../templates/base/scripts/scaffold-check.mjs";

/** One feature's files, paths relative to the project root (always "/"-separated). */
export type Overlay = Map<string, Buffer>;
export type Templates = Record<string, Overlay>;

/** Every overlay, one folder of templates/ each: base, then one per feature (see plan.ts's overlaysFor). */
export const overlayNames = ["base", "queue"] as const;

/** The templates ship beside dist/ in the package (copied there by the build). */
export const templatesDir = fileURLToPath(new URL("../templates", import.meta.url));

/**
 * Whether a path inside a template tree lies in a folder that running tools leave
 * there (installs, caches, builds): never part of a generated project. The same
 * folders `check` ignores inside packages/core.
 */
export function isLocalState(relativePath: string): boolean {
  return relativePath.split(path.sep).some((segment) => LOCAL_STATE.has(segment));
}

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
    templates[overlay] = new Map(files.map((file, index) => [path.relative(root, file).split(path.sep).join("/"), contents[index]!]));
  }
  return templates;
}
