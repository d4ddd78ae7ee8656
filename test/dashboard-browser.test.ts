import { existsSync } from "node:fs";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BackgroundScript } from "./support/background.js";
import { tempDir } from "./support/cli.js";
import { freshDatabase } from "./support/databases.js";
import { generateProject } from "./support/generate.js";
import { pnpm } from "./support/pnpm.js";
import { findPostgres, findRedis, missing } from "./support/services.js";
import { eventually, freePort } from "./support/waiting.js";
import { freshMachine, postSignup } from "./support/fresh-machine.js";

/**
 * The task dashboard of a generated project, built and run in production, seen in a
 * real browser (Debian's Chromium, driven by playwright-core): behind ADMIN_TOKEN it
 * loads with the token — translations included, no raw keys — and shows the queue and a
 * finished task with its progress and log lines; without the token it refuses; without
 * ADMIN_TOKEN it is not there.
 */

const CHROMIUM = "/usr/bin/chromium";
const redisUrl = await findRedis();
const postgresUrl = await findPostgres();
const skip =
  missing("Chromium (apt-get install chromium)", existsSync(CHROMIUM) ? CHROMIUM : undefined) ||
  missing("Redis", redisUrl) ||
  missing("PostgreSQL", postgresUrl);

const TOKEN = "browser-test-admin-token-0123456789";
/** As the machine's notes say: no sandbox as root, and none of Chromium's own network chatter. */
const CHROMIUM_FLAGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

describe.skipIf(skip)("the task dashboard in a browser, in production", () => {
  let project: string;
  let browser: Browser;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  const scripts: BackgroundScript[] = [];
  const queueName = `browser-${Date.now().toString(36)}`;

  async function start(args: string[], extra: Record<string, string>): Promise<{ baseUrl: string; script: BackgroundScript }> {
    const port = await freePort();
    const env = {
      ...freshMachine,
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl as string,
      TASKS_QUEUE: queueName,
      MAIL_DIR: await tempDir("browser-mail-"),
      PORT: String(port),
      ...extra,
    };
    const script = await BackgroundScript.start(project, args, env);
    scripts.push(script);
    return { baseUrl: `http://127.0.0.1:${port}`, script };
  }

  beforeAll(async () => {
    project = await generateProject({ queue: true, install: true });
    const build = await pnpm(["build"], { cwd: project, reject: false });
    expect(build.exitCode, build.all).toBe(0);
    database = await freshDatabase(postgresUrl as string, "browser");
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
  }, 600_000);

  afterAll(async () => {
    for (const script of scripts) script.kill();
    await browser?.close();
    await database?.drop();
  });

  it("with ADMIN_TOKEN: loads with the token, translated, showing the queue and a finished task with its progress and logs; refuses without it", async () => {
    const { baseUrl, script: server } = await start(["start"], { ADMIN_TOKEN: TOKEN });
    const { script: worker } = await start(["worker"], {});
    await server.waitFor(/app ready on/);
    await worker.waitFor(/worker ready/);

    const { taskId: jobId } = await postSignup(baseUrl, "ada@example.com");
    await eventually(
      "the welcome email task to finish",
      async () => ((await (await fetch(`${baseUrl}/tasks/${jobId}`)).json()) as { status: string }).status === "completed",
    );

    // Without the token: asked for it (401, Basic), which a browser without one shows as an error.
    const refused = await browser.newPage();
    expect((await refused.request.get(`${baseUrl}/admin/queues`)).status()).toBe(401);
    await expect(refused.goto(`${baseUrl}/admin/queues`)).rejects.toThrow(/ERR_INVALID_AUTH_CREDENTIALS/);
    await refused.close();

    const context = await browser.newContext({ httpCredentials: { username: "admin", password: TOKEN } });
    const page = await context.newPage();
    const unauthorised: string[] = [];
    page.on("response", (response) => {
      if (response.status() === 401) unauthorised.push(response.url());
    });
    expect((await page.goto(`${baseUrl}/admin/queues`))?.status()).toBe(200);
    await page.getByText(queueName).first().waitFor({ timeout: 30_000 });

    await page.goto(`${baseUrl}/admin/queues/queue/${queueName}?status=completed`);
    await page.getByText("sendWelcomeEmail").first().waitFor({ timeout: 30_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText: the text the page shows.
    const text = await page.locator("body").innerText();
    expect(text).toContain(jobId);
    // Every string translated: raw i18n keys look like QUEUE.STATUS.ALL.
    expect(text).not.toMatch(/\b[A-Z]+(?:\.[A-Z_]+)+\b/);
    // What the task reported while it ran (worker.current().progress and .log): its
    // card's progress bar, and its log lines under the card's Logs tab.
    await page.getByText("100%", { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText("Logs", { exact: true }).first().click();
    await page.getByText("welcome email sent to ada@example.com").first().waitFor({ timeout: 30_000 });
    expect(unauthorised).toEqual([]);
    await context.close();

    // The same with the credentials in the address, as one pastes them.
    const pasted = await browser.newPage();
    const refusedFetches: string[] = [];
    pasted.on("response", (response) => {
      if (response.status() === 401) refusedFetches.push(response.url());
    });
    const withCredentials = new URL(`${baseUrl}/admin/queues/queue/${queueName}?status=completed`);
    withCredentials.username = "admin";
    withCredentials.password = TOKEN;
    expect((await pasted.goto(withCredentials.toString()))?.status()).toBe(200);
    expect(pasted.url()).toBe(`${baseUrl}/admin/queues/queue/${queueName}?status=completed`); // redirected to the address without credentials
    await pasted.getByText("sendWelcomeEmail").first().waitFor({ timeout: 30_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText: the text the page shows.
    expect(await pasted.locator("body").innerText()).not.toMatch(/\b[A-Z]+(?:\.[A-Z_]+)+\b/);
    expect(refusedFetches).toEqual([]);
    await pasted.close();
  });

  it("without ADMIN_TOKEN: not there at all", async () => {
    const { baseUrl, script: server } = await start(["start"], {});
    await server.waitFor(/app ready on/);
    const page = await browser.newPage();
    expect((await page.goto(`${baseUrl}/admin/queues`))?.status()).toBe(404);
    await page.close();
  });
});
