import { randomUUID } from "node:crypto";
import { closeDatabase, UserModel } from "@repo/core";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import { closeQueue, mountQueueRoutes, type QueueRouteConfig } from "./queue.js";
import { sendWelcomeEmail } from "./tasks/emails.js";

const TOKEN = "test-admin-token-0123456789";

function appWith(config: QueueRouteConfig): Hono {
  const app = new Hono();
  mountQueueRoutes(app, config);
  return app;
}

afterAll(async () => {
  await closeQueue();
  await closeDatabase();
});

describe("admin dashboard", () => {
  it("is open in development", async () => {
    const app = appWith({ production: false, adminToken: undefined });
    const page = await app.request("/admin/queues");
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<html");
    expect((await app.request("/admin/queues/api/queues")).status).toBe(200);
  });

  it("is not mounted in production without ADMIN_TOKEN", async () => {
    const app = appWith({ production: true, adminToken: undefined });
    expect((await app.request("/admin/queues")).status).toBe(404);
    expect((await app.request("/admin/queues/api/queues")).status).toBe(404);
  });

  it("needs ADMIN_TOKEN in production: Bearer or Basic password, anything else 401", async () => {
    const app = appWith({ production: true, adminToken: TOKEN });
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
    for (const path of ["/admin/queues", "/admin/queues/api/queues"]) {
      for (const authorization of [
        undefined,
        "Bearer wrong-token",
        `Bearer ${TOKEN}x`,
        basic("admin", "wrong"),
        `Token ${TOKEN}`,
        basic(TOKEN, ""),
      ]) {
        const response = await app.request(path, { headers: authorization ? { authorization } : {} });
        expect(response.status, `${path} with ${authorization}`).toBe(401);
        expect(response.headers.get("www-authenticate")).toMatch(/^Basic /);
      }
      expect((await app.request(path, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      expect((await app.request(path, { headers: { authorization: basic("anyone", TOKEN) } })).status).toBe(200);
    }
  });
});

describe("admin dashboard in a browser, in production", () => {
  const app = appWith({ production: true, adminToken: TOKEN });
  const basic = `Basic ${Buffer.from(`admin:${TOKEN}`).toString("base64")}`;

  it("opened with the token: redirected once to the same address, with a session cookie that then suffices", async () => {
    const opened = await app.request("http://localhost/admin/queues?x=1", {
      headers: { authorization: basic, "sec-fetch-mode": "navigate" },
    });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("http://localhost/admin/queues?x=1");
    const cookie = opened.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^admin_session=[^;]+; Max-Age=43200; Path=\/admin\/queues; HttpOnly; SameSite=Strict$/);
    const session = cookie.split(";")[0]!;
    for (const path of ["/admin/queues", "/admin/queues/api/queues"]) {
      expect((await app.request(path, { headers: { cookie: session } })).status).toBe(200);
    }
  });

  it("refuses a cookie it did not sign", async () => {
    const forged = "admin_session=admin.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA%3D";
    expect((await app.request("/admin/queues", { headers: { cookie: forged } })).status).toBe(401);
  });
});

describe("GET /tasks/:id", () => {
  const app = appWith({ production: false, adminToken: undefined });

  it("answers a queued task's status, and 404 for an unknown id", async () => {
    const user = await UserModel.create({ email: `${randomUUID()}@example.com` });
    // Scheduled far ahead, so no test worker runs it while we look.
    const task = await sendWelcomeEmail.with({ delay: 3_600_000 }).enqueue(user.id);
    try {
      const response = await app.request(`/tasks/${task.id}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ id: task.id, status: "scheduled" });
    } finally {
      await task.abort();
    }
    expect(await (await app.request(`/tasks/${task.id}`)).json()).toEqual({ id: task.id, status: "aborted" });

    const unknown = await app.request(`/tasks/${randomUUID()}`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: expect.stringContaining("No task with id") });
  });
});
