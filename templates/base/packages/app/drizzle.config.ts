// drizzle-kit (`pnpm db:generate`): the app's schema, and where its migrations go.
import { defineConfig } from "drizzle-kit";

export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema.ts",
  out: "./drizzle",
});
