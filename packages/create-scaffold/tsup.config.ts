import { cp, readFile, rm } from "node:fs/promises";
import { defineConfig } from "tsup";

const { version } = JSON.parse(await readFile(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

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
  define: { __GENERATOR_VERSION__: JSON.stringify(version) },
  banner: {
    // Bundled CommonJS dependencies (handlebars) still call require().
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  async onSuccess() {
    // The templates ship inside the package, beside dist/.
    const target = new URL("./templates/", import.meta.url);
    await rm(target, { recursive: true, force: true });
    for (const overlay of ["base", "queue"]) {
      await cp(new URL(`../../templates/${overlay}/`, import.meta.url), new URL(`${overlay}/`, target), {
        recursive: true,
        // Installs and caches that tools may leave in a template tree are not templates.
        filter: (source) => !/[\\/](node_modules|\.turbo|dist|\.data)([\\/]|$)/.test(source.slice(source.indexOf("templates"))),
      });
    }
  },
});
