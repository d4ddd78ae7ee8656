import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** One feature's files, paths relative to the project root (always "/"-separated). */
export type Overlay = Map<string, Buffer>;
export type Templates = Record<string, Overlay>;

/** The templates ship beside dist/ in the package (copied there by the build). */
export const templatesDir = fileURLToPath(new URL("../templates", import.meta.url));

export async function loadTemplates(dir: string = templatesDir, overlayNames: readonly string[] = ["base", "queue"]): Promise<Templates> {
  const templates: Templates = {};
  for (const overlay of overlayNames) {
    const root = path.join(dir, overlay);
    const entries = await readdir(root, { recursive: true, withFileTypes: true });
    const files: Overlay = new Map();
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const absolute = path.join(entry.parentPath, entry.name);
      files.set(path.relative(root, absolute).split(path.sep).join("/"), await readFile(absolute));
    }
    templates[overlay] = files;
  }
  return templates;
}
