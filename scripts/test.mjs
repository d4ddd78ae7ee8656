#!/usr/bin/env node
// The whole test suite from a fresh clone: install, lint, typecheck, then every
// test. Extra arguments go to vitest (e.g. a file name).
import { pnpm } from "./pnpm.mjs";

pnpm(["install", "--frozen-lockfile"]);
pnpm(["lint"]);
pnpm(["typecheck"]);
pnpm(["exec", "vitest", "run", ...process.argv.slice(2)]);
