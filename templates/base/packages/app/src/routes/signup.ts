import { isUniqueViolation } from "@repo/core";
import { users } from "@repo/core/schema";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { db } from "../db/client.js";
import { enqueueWelcomeEmail } from "../queue.js";

// Good enough to catch typos; the welcome email is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254; // RFC 5321's limit for a forward path
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /signup {"email": "..."}` → 201 `{ "status": "registered", "job_id": "..." }`
 * (no `job_id` when the job queue is off). 400 for a body that is not JSON or an
 * email that is missing or malformed, 409 when the address is already registered,
 * 413 for a body over 16 KiB, 503 while the database is down.
 * The user and their welcome email commit together (the task outbox): either both, or
 * neither. While the job queue is down the signup still succeeds, and the email goes
 * out once the queue is back.
 */
export const signupRoutes = new Hono().post(
  "/signup",
  bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => c.json({ error: `The body must be at most ${MAX_BODY_BYTES} bytes` }, 413) }),
  async (c) => {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return c.json({ error: 'The body must be JSON: {"email": "you@example.com"}' }, 400);
    }
    const email = typeof body === "object" && body !== null ? (body as { email?: unknown }).email : undefined;
    if (typeof email !== "string" || email.trim() === "") {
      return c.json({ error: 'email is required: {"email": "you@example.com"}' }, 400);
    }
    // Addresses are compared lower-case, so "Ann@x.com" cannot sign up twice.
    const address = email.trim().toLowerCase();
    if (address.length > MAX_EMAIL_LENGTH || !EMAIL.test(address)) {
      return c.json({ error: `email is not a valid address: "${email.slice(0, 100)}"` }, 400);
    }

    let jobId: string | undefined;
    try {
      jobId = await db.transaction(async (tx) => {
        const [user] = await tx.insert(users).values({ email: address }).returning({ id: users.id });
        return enqueueWelcomeEmail(user!.id, tx);
      });
    } catch (error) {
      if (isUniqueViolation(error)) return c.json({ error: `${address} is already registered` }, 409);
      throw error;
    }
    return c.json({ status: "registered" as const, ...(jobId === undefined ? {} : { job_id: jobId }) }, 201);
  },
);
