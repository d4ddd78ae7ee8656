import { UserModel } from "@repo/core";
import { worker } from "./worker.js";

/**
 * Example task: welcome a new user by email. Queue it from a route with
 * `await sendWelcomeEmail.enqueue(user.id)`; call it directly in tests.
 * Mail goes through SMTP_URL, or, in development, to an .eml file under
 * .data/mail/ (the mailer on worker.context, from @repo/core). A failed send is retried (with
 * capped exponential backoff); a worker crash can run it twice, which is why
 * the user is marked as welcomed — and a welcomed user is not mailed again.
 * Its progress and log lines show on the dashboard and in `handle.logs()`.
 */
export const sendWelcomeEmail = worker.task(
  "sendWelcomeEmail",
  async (userId: string) => {
    const current = worker.current();
    const user = await UserModel.get(userId);
    if (!user) return { status: "skipped" as const };

    if (user.welcomeEmailSentAt) {
      await current.log("already welcomed: not mailed again");
    } else {
      // Shared resources (mail, HTTP, database) come from the worker's context.
      await worker.context.mailer.send({
        // Sent at most once per user, even when this runs twice before it is recorded below.
        idempotencyKey: `welcome-${user.id}`,
        to: user.email,
        subject: "Welcome!",
        text: `Hello ${user.email},\n\nThanks for signing up. We are glad to have you.\n`,
      });
      await UserModel.markWelcomeEmailSent(user.id);
      await current.log(`welcome email sent to ${user.email}`);
    }
    await current.progress(50);

    // Also tell another service, if one is configured.
    const webhook = process.env.WELCOME_WEBHOOK_URL;
    if (webhook) {
      await worker.context.httpClient.post(webhook, { to: user.email, template: "welcome" }, { signal: current.signal });
      await current.log(`told ${new URL(webhook).host}`);
    }
    await current.progress(100);
    return { status: "sent" as const, user: user.email };
  },
  { retries: 3, timeout: 30_000 },
);
