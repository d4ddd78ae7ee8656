import { fileURLToPath } from "node:url";
import { coreMigrations, describeDatabase, describeError, type MigrationFolder, migrate, MigrationError } from "@repo/core";

/** The app's migrations: generated from src/db/schema.ts by `pnpm db:generate`, reviewed and committed like code. */
export const appMigrations: MigrationFolder = {
  folder: fileURLToPath(new URL("../../drizzle/", import.meta.url)),
  // drizzle-kit's own default, so `drizzle-kit migrate` agrees about what ran.
  table: "__drizzle_migrations",
};

/** Brings the database up to date: the core's migrations, then the app's. Returns the files applied. */
export function migrateDatabase(): Promise<string[]> {
  return migrate([coreMigrations, appMigrations]);
}

/**
 * For entry points: migrates, or stops the process (exit 1) saying why in one line:
 * the failed migration's file and the database's message, or the database that
 * could not be reached.
 */
export async function migrateOrExit(label: string): Promise<void> {
  try {
    const applied = await migrateDatabase();
    if (applied.length > 0) console.log(`[${label}] applied migrations: ${applied.join(", ")}`);
  } catch (error) {
    if (error instanceof MigrationError) console.error(`[${label}] ${error.message}`);
    else console.error(`[${label}] Could not migrate ${await describeDatabase().catch(() => "the database")}: ${describeError(error)}.`);
    process.exit(1);
  }
}
