// Errors that mean "the datastore is not there (right now)", as ioredis, node-postgres,
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
  /Connection is closed|Connection terminated|connection error|terminating connection|database system is (shutting down|starting up|in recovery)|max retries per request|Stream isn't writeable|socket hang up|ECONNREFUSED|ETIMEDOUT/i;

export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && CONNECTION_CODES.has(code)) return true;
  if (CONNECTION_MESSAGES.test(error.message)) return true;
  // Node's "happy eyeballs" connect reports every address tried in an AggregateError.
  return error instanceof AggregateError && error.errors.some(isConnectionError);
}
