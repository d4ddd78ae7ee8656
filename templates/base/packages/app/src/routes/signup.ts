import { db, describeError, isUniqueViolation, UserModel, type User } from "@repo/core";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { enqueueWelcomeEmail } from "../queue.js";

// Good enough to catch typos; the welcome email is the real check.
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const MAX_EMAIL_LENGTH = 254; // RFC 5321's limit for a forward path
const MAX_BODY_BYTES = 16 * 1024;

/**
 * `POST /signup {"email": "..."}` → 201 `{ "status": "registered", "job_id": "..." }`
 * (no `job_id` when the job queue is off). 400 for a body that is not JSON or an
 * email that is missing or malformed, 409 when the address is already registered,
 * 413 for a body over 16 KiB.
 * Nothing is queued unless the user was created.
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

    let user: User;
    try {
      user = await UserModel.create({ email: address });
    } catch (error) {
      if (isUniqueViolation(error)) return c.json({ error: `${address} is already registered` }, 409);
      throw error;
    }

    let jobId: string | undefined;
    try {
      jobId = await enqueueWelcomeEmail(user.id);
    } catch (error) {
      // Without its welcome task the signup is undone, so that trying again works (instead of a 409).
      await db.query("DELETE FROM users WHERE id = $1", [user.id]);
      console.error(`[signup] could not queue the welcome email: ${describeError(error)}`);
      return c.json({ error: "Could not register right now; please try again." }, 503);
    }
    return c.json({ status: "registered" as const, ...(jobId === undefined ? {} : { job_id: jobId }) }, 201);
  },
);
