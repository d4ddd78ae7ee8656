/**
 * The SQLSTATE of a database error — from pg's own error, or from the pg error that
 * Drizzle wraps in its DrizzleQueryError (as `cause`) — or undefined.
 */
export function sqlState(error: unknown): string | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 3; current = current.cause, depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** PostgreSQL's unique_violation: an insert or update met a UNIQUE constraint (e.g. users.email). */
export function isUniqueViolation(error: unknown): boolean {
  return sqlState(error) === "23505";
}
