// Compiles the runtime (`@repo/core/tasks`, in place in templates/) to plain JavaScript
// for the benchmark, as the generated project's `pnpm build` (tsc) does for production.
// Loading its TypeScript through tsx instead would charge the runtime with tsx's
// `keepNames`: esbuild then wraps every named function in `__name()`, an
// Object.defineProperty each time a closure is made, which production never pays and
// raw BullMQ (plain JavaScript) never paid in this benchmark.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));

/** Where the compiled runtime is written; it sits in the repo so its packages resolve from node_modules. */
export const CORE_BUILD = fileURLToPath(new URL("../.core-build/tasks.mjs", import.meta.url));

/** Compiles the runtime into CORE_BUILD: `@repo/core` through the repo tsconfig's paths, npm packages left as imports. */
export async function buildCore() {
  await build({
    entryPoints: [`${repoRoot}/templates/queue/packages/core/src/tasks/index.ts`],
    outfile: CORE_BUILD,
    tsconfig: `${repoRoot}/tsconfig.json`,
    bundle: true,
    packages: "external",
    platform: "node",
    format: "esm",
    target: "node20.12",
    logLevel: "warning",
  });
}
