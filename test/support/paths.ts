import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
export const cliPackageDir = path.join(repoRoot, "packages/create-scaffold");
export const cliPath = path.join(cliPackageDir, "dist/index.js");
export const templatesDir = path.join(repoRoot, "templates");
