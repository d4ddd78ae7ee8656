import { createHash, timingSafeEqual } from "node:crypto";
import type { Hono, MiddlewareHandler } from "hono";
import { getSignedCookie, setSignedCookie } from "hono/cookie";

const SESSION_COOKIE = "admin_session";
const SESSION_SECONDS = 12 * 3600;

/**
 * Lets a request through only with the admin token, sent as
 * `Authorization: Bearer <token>` (scripts) or as the password of HTTP Basic
 * auth, any user name (browsers ask for it) — or with the session cookie that a
 * browser gets the first time it opens the dashboard with the token, for `path` and
 * below. Anything else gets 401.
 *
 * The cookie (and the redirect that hands it out) is what makes the dashboard work
 * in a browser: a page opened from an address holding the credentials
 * (https://admin:token@host/…) cannot `fetch` its own files — fetch refuses any URL
 * with credentials in it, so the dashboard's translations would never load. Opened
 * with the token, a page is redirected once to the same address without them, and
 * the cookie authenticates it from then on. The cookie is signed with the token (a
 * new token ends every session), HttpOnly and SameSite=Strict, and lasts 12 hours.
 */
/** What decides how admin routes are served: production, and the token (ADMIN_TOKEN). */
export interface AdminAccess {
  production: boolean;
  adminToken: string | undefined;
}

/**
 * How an admin route (the dashboard, metrics) is served: in development as is; in
 * production only with ADMIN_TOKEN, behind it — guarding `path` and below here — and
 * without ADMIN_TOKEN not at all (false: do not mount it, so it answers 404).
 */
export function guardAdminPath(app: Hono, path: string, config: AdminAccess): boolean {
  if (!config.production) return true;
  if (!config.adminToken) return false;
  const guard = requireAdminToken(config.adminToken, { path });
  app.use(path, guard);
  app.use(`${path}/*`, guard);
  return true;
}

export function requireAdminToken(token: string, { path }: { path: string }): MiddlewareHandler {
  const expected = digest(token);
  return async (c, next) => {
    if ((await getSignedCookie(c, token, SESSION_COOKIE)) === "admin") return next();
    const given = tokenFrom(c.req.header("authorization"));
    if (given === undefined || !timingSafeEqual(digest(given), expected)) {
      c.header("WWW-Authenticate", 'Basic realm="admin", charset="UTF-8"');
      return c.json({ error: "The admin token is required (Authorization: Bearer <ADMIN_TOKEN>)" }, 401);
    }
    if (c.req.header("sec-fetch-mode") !== "navigate") return next(); // a script: the token every time
    const url = new URL(c.req.url);
    await setSignedCookie(c, SESSION_COOKIE, "admin", token, {
      path,
      httpOnly: true,
      sameSite: "Strict",
      secure: url.protocol === "https:",
      maxAge: SESSION_SECONDS,
    });
    // Absolute, so that no credentials of the current address carry over to the next.
    return c.redirect(`${url.origin}${url.pathname}${url.search}`, 303);
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
