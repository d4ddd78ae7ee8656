#!/usr/bin/env node
import module from "node:module";

// Node 22.1+ keeps the compiled bundle on disk between runs (in the system's
// temporary folder), so every run after the first skips parsing it. Only what is
// imported after this line benefits: the CLI itself is loaded below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

await import("./main.js");
