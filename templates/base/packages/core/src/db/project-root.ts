import { existsSync } from "node:fs";
import path from "node:path";

/**
 * The monorepo root: the nearest ancestor of `from` holding pnpm-workspace.yaml.
 * Local state (the embedded database under `.data/`) lives there, so the app and
 * the worker — started from different package directories — find the same files.
 * Falls back to `from` itself when no workspace file is found (e.g. a copied package).
 */
export function findProjectRoot(from: string = process.cwd()): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, "pnpm-workspace.yaml"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(from);
    dir = parent;
  }
}
