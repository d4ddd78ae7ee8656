// This repository's drizzle-kit configuration: the core's migrations, which projects
// receive with packages/core. `pnpm db:generate:core` after a change to the core's
// schema; a test fails while they are out of date. (Each generated project has its
// own configuration, for its app's tables: templates/base/packages/app/drizzle.config.ts.)
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./templates/base/packages/core/src/db/schema.ts",
  out: "./templates/base/packages/core/drizzle",
});
