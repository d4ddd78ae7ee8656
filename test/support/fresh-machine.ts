/**
 * This process's environment without anything a generated project reads (its datastores,
 * task settings, mail, port, admin token, tracing…): what a fresh machine gives its
 * scripts. Each test then sets what it means to.
 */
export const freshMachine: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(VITEST|REDIS_URL$|DATABASE_URL$|TASKS_|EMBEDDED_POSTGRES|MAIL_|SMTP_URL$|PORT$|NODE_ENV$|ADMIN_TOKEN$|WORKER_|HTTP_TIMEOUT_MS$|SIGNUP_RATE_LIMIT$|WELCOME_WEBHOOK_URL$|OTEL_|LOG_LEVEL$|LOG_FORMAT$)/.test(
        key,
      ),
  ),
);

/** `POST /signup` for `email` on a running server; its status and the task id it answered with. */
export async function postSignup(baseUrl: string, email: string): Promise<{ status: number; taskId: string | undefined }> {
  const response = await fetch(`${baseUrl}/signup`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  const body = (await response.json().catch(() => ({}))) as { job_id?: string };
  return { status: response.status, taskId: body.job_id };
}
