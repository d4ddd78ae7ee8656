import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { readMigrationFiles } from "drizzle-orm/migrator";
import { db, type Database } from "./database.js";
import { findProjectRoot } from "./project-root.js";

/** A folder of SQL migrations as drizzle-kit generates them (`<tag>.sql` files and meta/_journal.json). */
export interface MigrationFolder {
  folder: string;
  /** The table, in the `drizzle` schema, that records which of them were applied. */
  table: string;
}

/** The core's migrations: its own tables (users). They run before the app's. */
export const coreMigrations: MigrationFolder = {
  folder: fileURLToPath(new URL("../../drizzle/", import.meta.url)),
  table: "__core_migrations",
};

/** A migration that failed; nothing of the run that met it was applied. */
export class MigrationError extends Error {
  constructor(
    /** The migration's file, relative to the project root. */
    readonly file: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Migration ${file} failed: ${reason}. Nothing was applied: the database is as it was before.`, { cause });
    this.name = "MigrationError";
  }
}

// Any constant works as long as nothing else in the database uses it.
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Brings the database up to date: the pending migrations of each folder, folder by
 * folder in the order given (the core's first, then the app's), each in the order
 * drizzle-kit generated it. All in one transaction: a migration that fails leaves the
 * database as it was, and throws a MigrationError naming its file. The transaction
 * holds an advisory lock, so processes starting together (the server and the worker)
 * wait for each other and each migration runs once.
 *
 * Applied migrations are recorded as drizzle-kit's own `migrate` records them (hash
 * and journal time), so both tools agree. A migration counts as applied when its
 * journal time is recorded: one merged from another branch with an older time still
 * runs, and editing an applied file does not run it again.
 *
 * Returns the files applied, relative to the project root.
 */
export async function migrate(folders: readonly MigrationFolder[], database: Database = db): Promise<string[]> {
  const client = await database.pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query('CREATE SCHEMA IF NOT EXISTS "drizzle"');
    const applied: string[] = [];
    for (const { folder, table } of folders) {
      const records = `"drizzle"."${table}"`;
      await client.query(`CREATE TABLE IF NOT EXISTS ${records} (id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint)`);
      const { rows } = await client.query<{ created_at: string }>(`SELECT created_at FROM ${records}`);
      const done = new Set(rows.map((row) => Number(row.created_at)));
      for (const migration of readFolder(folder)) {
        if (done.has(migration.folderMillis)) continue;
        try {
          for (const statement of migration.sql) if (statement.trim()) await client.query(statement);
        } catch (error) {
          throw new MigrationError(migration.file, error);
        }
        await client.query(`INSERT INTO ${records} (hash, created_at) VALUES ($1, $2)`, [migration.hash, migration.folderMillis]);
        applied.push(migration.file);
      }
    }
    await client.query("COMMIT");
    return applied;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The folder's migrations in journal order, with their files; none before drizzle-kit generated the first. */
function readFolder(folder: string) {
  const journal = path.join(folder, "meta", "_journal.json");
  if (!existsSync(journal)) return [];
  const { entries } = JSON.parse(readFileSync(journal, "utf8")) as { entries: { tag: string }[] };
  const root = findProjectRoot();
  // drizzle-orm reads and hashes the files as its own migrator does; the journal names them.
  return readMigrationFiles({ migrationsFolder: folder }).map((migration, index) => ({
    ...migration,
    file: path.relative(root, path.join(folder, `${entries[index]!.tag}.sql`)),
  }));
}
