import { describe, expect, it } from "vitest";
import { isConnectionError, isUnavailable, ServiceUnavailableError } from "@repo/core";

// The errors a database or a queue going away produces, as node-postgres, PostgreSQL,
// ioredis and Node report them: each must read as "unavailable" (HTTP 503, an attempt
// that waits without using a retry), and a real bug must not.
const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe("what counts as a dependency being down", () => {
  it.each([
    ["a refused connection", withCode("connect ECONNREFUSED 127.0.0.1:5432", "ECONNREFUSED")],
    ["PostgreSQL shutting down", withCode("terminating connection due to administrator command", "57P01")],
    ["PostgreSQL starting up", withCode("the database system is starting up", "57P03")],
    ["a connection lost mid-query", new Error("Connection terminated unexpectedly")],
    ["a pool client closed under a query", new Error("Client was closed and is not queryable")],
    ["a pool client that lost its connection", new Error("Client has encountered a connection error and is not queryable")],
    ["every pool client stuck connecting", new Error("timeout exceeded when trying to connect")],
    ["ioredis while Redis is away", new Error("Connection is closed.")],
    ["every address refused", new AggregateError([withCode("connect ECONNREFUSED ::1:6379", "ECONNREFUSED")], "")],
  ])("%s", (_, error) => {
    expect(isConnectionError(error)).toBe(true);
    // Drizzle wraps the driver's error: the cause tells.
    expect(isUnavailable(new Error("Failed query: insert into users", { cause: error }))).toBe(true);
  });

  it("a ServiceUnavailableError is unavailable; a bug or a bad query is not", () => {
    expect(isUnavailable(new ServiceUnavailableError("the queue did not answer"))).toBe(true);
    expect(isUnavailable(new TypeError("Cannot read properties of undefined (reading 'id')"))).toBe(false);
    expect(isUnavailable(withCode('duplicate key value violates unique constraint "users_email_unique"', "23505"))).toBe(false);
    expect(isUnavailable(withCode('relation "reports" does not exist', "42P01"))).toBe(false);
  });
});
