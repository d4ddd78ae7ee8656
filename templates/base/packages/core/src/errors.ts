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
