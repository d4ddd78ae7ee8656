import { fileURLToPath } from "node:url";
import { defineConfig } from "tsup";
import { writeTemplatePack } from "./src/template-pack.js";

export default defineConfig({
  entry: ["src/index.ts"],
  format: "esm",
  platform: "node",
  target: "node20",
  // Everything is bundled: the published package has no runtime dependencies.
  noExternal: [/.*/],
  splitting: true, // lazy imports (prompts, post steps, update) become chunks loaded only when needed
  clean: true,
  minify: true,
  banner: {
    // Bundled CommonJS dependencies still call require().
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  async onSuccess() {
    // The templates ship compiled, in one file beside the bundle (see src/template-pack.ts).
    await writeTemplatePack(
      fileURLToPath(new URL("../../templates/", import.meta.url)),
      fileURLToPath(new URL("./dist/templates.pack", import.meta.url)),
    );
  },
});
