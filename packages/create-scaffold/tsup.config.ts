import { cp, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
import { isLocalState, overlayNames } from "./src/templates.js";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  // Everything is bundled: the published package has no runtime dependencies.
  noExternal: [/.*/],
  splitting: true, // lazy imports (prompts, post steps) become chunks loaded only when needed
  clean: true,
  minify: true,
  banner: {
    // Bundled CommonJS dependencies (handlebars) still call require().
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  async onSuccess() {
    // The templates ship inside the package, beside dist/.
    const target = new URL("./templates/", import.meta.url);
    await rm(target, { recursive: true, force: true });
    for (const overlay of overlayNames) {
      const source = fileURLToPath(new URL(`../../templates/${overlay}/`, import.meta.url));
      await cp(source, fileURLToPath(new URL(`${overlay}/`, target)), {
        recursive: true,
        // Installs and caches that tools may leave in a template tree are not templates.
        filter: (file) => !isLocalState(path.relative(source, file)),
      });
    }
  },
});
