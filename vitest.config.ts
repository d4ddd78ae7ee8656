import { defineConfig } from "vitest/config";
import { templateAliases } from "./test/support/template-aliases.js";

export default defineConfig({
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
