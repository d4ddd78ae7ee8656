import type pg from "pg";

/**
 * The schema, as an ordered list of SQL steps. Append new steps; never edit or
 * reorder applied ones — each id is recorded once it has run.
 */
export interface Migration {
  id: string;
  sql: string;
}

export const migrations: readonly Migration[] = [
  {
    id: "0001_create_users",
    sql: `
      CREATE TABLE users (
        id text PRIMARY KEY DEFAULT gen_random_uuid()::text,
        email text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        welcome_email_sent_at timestamptz
      )`,
  },
];

// Any constant works as long as nothing else in the database uses it.
const MIGRATION_LOCK_KEY = 727_274_001;

/**
 * Applies the pending migrations in one transaction. The transaction-scoped
 * advisory lock makes concurrent callers (app and worker starting together)
 * wait for each other instead of racing to create the same tables.
 * Returns the ids applied by this call.
 */
export async function runMigrations(pool: pg.Pool, list: readonly Migration[] = migrations): Promise<string[]> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    await client.query("CREATE TABLE IF NOT EXISTS schema_migrations (id text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())");
    const { rows } = await client.query<{ id: string }>("SELECT id FROM schema_migrations");
    const done = new Set(rows.map((row) => row.id));
    const applied: string[] = [];
    for (const migration of list) {
      if (done.has(migration.id)) continue;
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (id) VALUES ($1)", [migration.id]);
      applied.push(migration.id);
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
