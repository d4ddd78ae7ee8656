#!/usr/bin/env node
// `pnpm plop ...`: runs plop's own CLI (https://plopjs.com) on ./plopfile.js, so
// that every failure exits non-zero. plop 4 on its own prints a plopfile that
// fails to load (a syntax error, a throw) and then exits 0; this wrapper uses
// plop's documented wrapping API (Plop.prepare / Plop.execute / run) and turns
// that case into exit code 1. Everything else is plop's CLI unchanged.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Plop, run } from "plop";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

Plop.prepare({ cwd: root, configPath: path.join(root, "plopfile.js"), preload: [] }, (env) =>
  Plop.execute(env, async (env) => {
    // run() resolves to undefined when the plopfile could not be loaded.
    const plop = await run(env, undefined, false);
    if (!plop) process.exitCode = 1;
  }),
);
