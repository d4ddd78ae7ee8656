import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";

/**
 * Lets a request through only with the admin token, sent as
 * `Authorization: Bearer <token>` (scripts) or as the password of HTTP Basic
 * auth, any user name (browsers ask for it, and resend it with the dashboard's
 * own API calls). Anything else gets 401.
 */
export function requireAdminToken(token: string): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    const given = tokenFrom(c.req.header("authorization"));
    if (given !== undefined && timingSafeEqual(digest(given), expected)) return next();
    c.header("WWW-Authenticate", 'Basic realm="admin", charset="UTF-8"');
    return c.json({ error: "The admin token is required (Authorization: Bearer <ADMIN_TOKEN>)" }, 401);
  };
}

function tokenFrom(header: string | undefined): string | undefined {
  const [scheme, value] = header?.trim().split(/\s+/, 2) ?? [];
  if (!scheme || !value) return undefined;
  if (scheme.toLowerCase() === "bearer") return value;
  if (scheme.toLowerCase() === "basic") {
    const decoded = Buffer.from(value, "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    return colon === -1 ? undefined : decoded.slice(colon + 1);
  }
  return undefined;
}

// Equal-length inputs for timingSafeEqual, whatever was sent.
function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}
