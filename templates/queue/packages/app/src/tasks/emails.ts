import { UserModel } from "@repo/core";
import { worker } from "./worker.js";

/**
 * Example task: welcome a new user. Queue it from a route with
 * `await sendWelcomeEmail.enqueue(user.id)`; call it directly in tests.
 * A failed send is retried (with capped exponential backoff); a worker crash
 * can run it twice, which is why the user is marked as welcomed.
 */
export const sendWelcomeEmail = worker.task(
  "sendWelcomeEmail",
  async (userId: string) => {
    const user = await UserModel.get(userId);
    if (!user) return { status: "skipped" as const };

    // Plug your email provider in here. Without WELCOME_WEBHOOK_URL the send is
    // skipped, so the project runs (and its tests pass) offline.
    const webhook = process.env.WELCOME_WEBHOOK_URL;
    if (webhook) {
      await worker.context.httpClient.post(webhook, { to: user.email, template: "welcome" });
    }

    await UserModel.markWelcomeEmailSent(user.id);
    return { status: "sent" as const, user: user.email };
  },
  { retries: 3, timeout: 30_000 },
);
