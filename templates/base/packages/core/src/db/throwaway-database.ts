import { randomBytes } from "node:crypto";
import pg from "pg";
import { redactUrl } from "../config/redact-url.js";

/** A database made for a test run, on an existing server. */
export interface ThrowawayDatabase {
  readonly url: string;
  /** Drops it, closing whatever is still connected. */
  drop(): Promise<void>;
}

async function onServer(serverUrl: string, statement: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 5_000 });
  admin.on("error", () => {}); // a drop after connecting: the query rejects
  await admin.connect();
  try {
    await admin.query(statement);
  } finally {
    await admin.end().catch(() => {});
  }
}

/**
 * An empty database on the server `serverUrl` points at, named after its database
 * (`<name>_test_<random>`), so tests never write into the database you develop on.
 * Needs the CREATEDB privilege; without it, says what to do instead.
 */
export async function createThrowawayDatabase(serverUrl: string): Promise<ThrowawayDatabase> {
  const url = new URL(serverUrl);
  const base = (decodeURIComponent(url.pathname.slice(1)) || "app").replace(/\W+/g, "_").slice(0, 40);
  const name = `${base}_test_${randomBytes(4).toString("hex")}`;
  try {
    await onServer(serverUrl, `CREATE DATABASE "${name}"`);
  } catch (error) {
    throw new Error(
      `Tests need a database of their own, and none could be created on ${redactUrl(serverUrl)}: ` +
        `${error instanceof Error ? error.message : String(error)}. Grant the user CREATEDB, or set TEST_DATABASE_URL ` +
        "to a database the tests may fill.",
    );
  }
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => onServer(serverUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
