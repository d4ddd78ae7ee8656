import { existsSync } from "node:fs";
import path from "node:path";
import { findProjectRoot } from "../db/project-root.js";

/**
 * Loads `<project root>/.env` into `process.env` when the file exists. Variables
 * already set in the environment win, so a deployment's settings are never
 * overridden by a stray file. Call it first thing in an entry point: the app and
 * the worker run from `packages/app`, and the file lives at the root.
 * Returns the file's path, or undefined when there is none.
 */
export function loadEnvFile(root: string = findProjectRoot()): string | undefined {
  const file = path.join(root, ".env");
  if (!existsSync(file)) return undefined;
  // Node's own parser (20.12+): the same syntax as `node --env-file`.
  process.loadEnvFile(file);
  return file;
}
