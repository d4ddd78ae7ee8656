import { db } from "@repo/core";
import { Hono } from "hono";

/** `GET /health`: 200 when the database answers, 503 otherwise (for load balancers and uptime checks). */
export const healthRoutes = new Hono().get("/health", async (c) => {
  try {
    await db.query("SELECT 1");
    return c.json({ ok: true });
  } catch (error) {
    console.error("[health] database check failed:", error);
    return c.json({ ok: false, error: "database unavailable" }, 503);
  }
});
