// `pnpm check`: is every generator-owned file (all of packages/core) exactly as
// create-scaffold generated it? Compares the files with the git blob ids recorded in
// .scaffold.json and lists the modified, missing and unexpected ones.
// Exit 0 when clean, 1 on drift, 2 when this is not a generated project.
// `--json` prints the report for machines. `create-scaffold check` runs this same
// code, so the project can check itself without the generator installed.
import { realpathSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { blobId, readManifest } from "./scaffold-manifest.mjs";

/** Folders that tools create inside a package (installs, builds, caches): never generator-owned. */
export const LOCAL_STATE = new Set(["node_modules", "dist", ".turbo", ".data", "coverage"]);

/** Files that operating systems and editors drop anywhere: not drift either. */
const JUNK = /^(\.DS_Store|Thumbs\.db|desktop\.ini|\.eslintcache|.*\.sw[po]|.*~)$/;

/**
 * @typedef {{ status: "clean" | "drift", modified: string[], missing: string[], unexpected: string[] }} CheckReport
 * @typedef {{ status: "not-a-project", reason: string }} NotAProject
 */

/**
 * @param {string} root the project's root folder
 * @returns {Promise<CheckReport | NotAProject>}
 */
export async function checkProject(root) {
  const read = readManifest(root);
  if ("reason" in read) return { status: "not-a-project", reason: read.reason };
  const { owned, files } = read.manifest;
  const isOwned = (/** @type {string} */ file) => owned.some((prefix) => file.startsWith(prefix));

  const modified = [];
  const missing = [];
  for (const [file, recorded] of Object.entries(files).filter(([file]) => isOwned(file))) {
    const contents = await readFile(path.join(root, file)).catch(() => undefined);
    if (contents === undefined) missing.push(file);
    else if (blobId(contents) !== recorded) modified.push(file);
  }
  const present = (await Promise.all(owned.map((prefix) => listFiles(root, prefix)))).flat();
  const unexpected = present.filter((file) => !(file in files));
  const status = modified.length + missing.length + unexpected.length === 0 ? "clean" : "drift";
  return { status, modified: modified.sort(), missing: missing.sort(), unexpected: unexpected.sort() };
}

/**
 * Files under `prefix` ("packages/core/"), "/"-separated and relative to root, local state left out.
 * @param {string} root
 * @param {string} prefix
 * @returns {Promise<string[]>}
 */
export async function listFiles(root, prefix) {
  const dir = path.join(root, prefix);
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(root, path.join(entry.parentPath, entry.name)).split(path.sep).join("/"))
    .filter(
      (file) =>
        !file
          .slice(prefix.length)
          .split("/")
          .some((segment) => LOCAL_STATE.has(segment)),
    )
    .filter((file) => !JUNK.test(path.posix.basename(file)));
}

/**
 * Prints the report and returns the exit code (0 clean, 1 drift, 2 not a project).
 * @param {string} root
 * @param {{ json?: boolean }} [options]
 * @returns {Promise<number>}
 */
export async function runCheck(root, { json = false } = {}) {
  const report = await checkProject(root);
  if (json) console.log(JSON.stringify(report, null, 2));
  if (report.status === "not-a-project") {
    if (!json) console.error(report.reason);
    return 2;
  }
  if (json) return report.status === "clean" ? 0 : 1;
  if (report.status === "clean") {
    console.log("packages/core is as create-scaffold generated it.");
    return 0;
  }
  const lines = [
    ...report.modified.map((file) => `  modified    ${file}`),
    ...report.missing.map((file) => `  missing     ${file}`),
    ...report.unexpected.map((file) => `  unexpected  ${file}`),
  ];
  console.error(
    `packages/core differs from what create-scaffold generated:\n${lines.join("\n")}\n` +
      "The core is owned by the generator: undo these changes (git checkout / git clean), or move the code to packages/app.",
  );
  return 1;
}

// Run as a script: check the project this file lives in. (The name check keeps a
// bundle that includes this module, like the create-scaffold CLI, from running it.)
const self = fileURLToPath(import.meta.url);
if (path.basename(self) === "scaffold-check.mjs" && process.argv[1] && realpathSync(path.resolve(process.argv[1])) === realpathSync(self)) {
  const root = path.resolve(path.dirname(self), "..");
  process.exitCode = await runCheck(root, { json: process.argv.includes("--json") });
}
