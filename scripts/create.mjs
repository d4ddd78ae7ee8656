#!/usr/bin/env node
// Generates a project with the CLI built from this checkout:
//   npm run create -- ../my-app [options]
// Paths are taken from where npm was run (INIT_CWD), as a user would expect.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { pnpm } from "./pnpm.mjs";

pnpm(["install", "--frozen-lockfile"], { quiet: true });
pnpm(["--filter", "create-scaffold", "build"], { quiet: true });
const cli = fileURLToPath(new URL("../packages/create-scaffold/dist/index.js", import.meta.url));
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  cwd: process.env.INIT_CWD ?? process.cwd(),
  stdio: "inherit",
});
process.exit(result.status ?? 1);
