import { readFileSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { templateAliases } from "./test/support/template-aliases.js";

const { version } = JSON.parse(readFileSync(new URL("./packages/create-scaffold/package.json", import.meta.url), "utf8")) as {
  version: string;
};

export default defineConfig({
  define: { __GENERATOR_VERSION__: JSON.stringify(version) },
  test: {
    // The core runtime is tested in place, as the generated packages would import it.
    alias: templateAliases,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Generating, installing and running projects is slow by nature.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Two cores: heavier files (installs, databases) should not all run at once.
    maxWorkers: 2,
  },
});
