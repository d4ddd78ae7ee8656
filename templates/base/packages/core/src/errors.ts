/**
 * A one-line account of an error, for messages: its message, without a final period
 * (it is embedded in sentences). An AggregateError, often without a message of its
 * own (Node's connect tries every address of a host), names its parts.
 */
export function describeError(error: unknown): string {
  if (error instanceof AggregateError && !error.message) {
    return error.errors.map(describeError).join("; ") || "connection failed";
  }
  if (error instanceof Error) return (error.message || error.name).replace(/\.+$/, "");
  return String(error);
}

/**
 * Code declares something it cannot run — a task with a bad option, a cron schedule
 * with a bad pattern — found when it is declared, that is when the process starts.
 * Entry points print the message (it names what was declared) and exit 1.
 */
export class DeclarationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DeclarationError";
  }
}

// Errors that mean "the database or the datastore is not there (right now)", as ioredis, node-postgres,
// PostgreSQL (SQLSTATE class 08 and 57P0x) and Node's sockets report them.
const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
  "ECONNABORTED",
  "57P01",
  "57P02",
  "57P03",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);
const CONNECTION_MESSAGES =
  /Connection is closed|Connection terminated|connection error|is not queryable|terminating connection|database system is (shutting down|starting up|in recovery)|max retries per request|Stream isn't writeable|socket hang up|timeout exceeded when trying to connect|ECONNREFUSED|ETIMEDOUT/i;

/** Whether `error` says a connection failed or was refused (the server is down, not the request wrong). */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  // Node's "happy eyeballs" connect reports every address tried in an AggregateError.
  return error instanceof AggregateError && error.errors.some(isConnectionError);
}

/**
 * Something a request needs is unavailable right now (a database or a queue that is down
 * or did not answer in time): the request was fine, and may be retried. HTTP answers 503.
 */
export class ServiceUnavailableError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ServiceUnavailableError";
  }
}

/** A ServiceUnavailableError, or an error caused (through `cause`, as Drizzle wraps pg's) by a failed connection. */
export function isUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current instanceof Error && depth < 4; current = current.cause, depth++) {
    if (current instanceof ServiceUnavailableError || isConnectionError(current)) return true;
  }
  return false;
}
