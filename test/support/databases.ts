import pg from "pg";

let created = 0;

/** Runs one statement on the server at `adminUrl`, on a connection of its own. */
async function onServer(adminUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end();
  }
}

/**
 * An empty database of its own on the PostgreSQL server at `adminUrl` (the machine's or an
 * embedded one), for a test that must start from nothing; `drop()` removes it.
 */
export async function freshDatabase(adminUrl: string, label: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `scaffold_${label}_${process.pid}_${Date.now().toString(36)}_${created++}`;
  await onServer(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
