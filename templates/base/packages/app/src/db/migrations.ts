import { fileURLToPath } from "node:url";
import { coreMigrations, describeError, logger, type MigrationFolder, migrate, MigrationError, redactUrl } from "@repo/core";

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

/** Why the database could not be migrated, naming it (password hidden) and what to check. */
function unreachable(error: unknown): string {
  const configured = process.env.DATABASE_URL?.trim();
  if (!configured) return `The embedded PostgreSQL could not be used: ${describeError(error)}. Or set DATABASE_URL to a PostgreSQL server.`;
  return (
    `Cannot reach the database at ${redactUrl(configured)}: ${describeError(error)}. Check that PostgreSQL is running and ` +
    "accepts connections from here, and that DATABASE_URL is right (host, port, user, password, database)."
  );
}

/**
 * For entry points: migrates, or stops the process (exit 1) saying why in one line:
 * the failed migration's file and the database's message, or the database that
 * could not be reached.
 */
export async function migrateOrExit(label: string): Promise<void> {
  try {
    const applied = await migrateDatabase();
    if (applied.length > 0) logger(label).info(`applied migrations: ${applied.join(", ")}`);
  } catch (error) {
    logger(label).fatal(error instanceof MigrationError ? error.message : unreachable(error));
    process.exit(1);
  }
}
