import { defineConfig } from "vitest/config";
import { templateAliases } from "./test/support/template-aliases.js";

export default defineConfig({
  test: {
    // The core runtime is tested in place, as the generated packages would import it.
    alias: templateAliases,
    // Two cores: heavier files (installs, databases) should not all run at once.
    maxWorkers: 2,
    projects: [
      {
        // Pure logic, in milliseconds: `pnpm test:unit`.
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"] },
      },
      {
        // What the compiler says of the task API (`*.test-d.ts`, checked by tsc, never run).
        extends: true,
        test: {
          name: "types",
          include: [],
          typecheck: { enabled: true, only: true, include: ["test/types/**/*.test-d.ts"], tsconfig: "./tsconfig.json" },
        },
      },
      {
        // The real parts: the built CLI, installs, processes, Redis and PostgreSQL.
        extends: true,
        test: {
          name: "integration",
          include: ["test/*.test.ts"],
          globalSetup: ["test/support/global-setup.ts"],
          // Generating, installing and running projects is slow by nature.
          testTimeout: 180_000,
          hookTimeout: 300_000,
        },
      },
    ],
  },
});
