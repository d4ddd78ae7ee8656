import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts"],
    // Starts a throwaway database when DATABASE_URL is not set; see the file.
    globalSetup: ["./test/global-setup.ts"],
    // Real services: the first run of the embedded database and a worker process take a while.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
