import path from "node:path";
import { SettingError } from "../config/setting-error.js";
import { urlProblem } from "../config/url-problem.js";
import { findProjectRoot } from "../db/project-root.js";

/** Where mail goes: an SMTP server, or `.eml` files in a directory (development). */
export type MailTransportSettings = { kind: "smtp"; url: string } | { kind: "files"; dir: string };

export interface MailSettings {
  transport: MailTransportSettings;
  /** Sender of messages that name none (MAIL_FROM). */
  from: string;
}

/** A mail setting is missing or malformed; the message names the variable and what it should look like. */
export class MailConfigError extends SettingError {
  constructor(variable: string, message: string) {
    super(variable, message);
    this.name = "MailConfigError";
  }
}

const DEFAULT_FROM = "no-reply@localhost";

/**
 * Mail settings from the environment:
 * - `SMTP_URL` (smtp:// or smtps://) → SMTP;
 * - else `MAIL_DIR` → one `.eml` file per message in that directory;
 * - else, outside production, `<project root>/.data/mail/` — so development
 *   needs no mail server and every message can be opened in a mail client;
 * - in production (`NODE_ENV=production`) one of them must be set: silently
 *   writing customers' mail to disk would be a bug.
 */
export function mailSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): MailSettings {
  return { transport: transportFromEnv(env), from: fromAddress(env) };
}

function transportFromEnv(env: NodeJS.ProcessEnv): MailTransportSettings {
  const smtpUrl = env.SMTP_URL?.trim();
  if (smtpUrl) return { kind: "smtp", url: checkSmtpUrl(smtpUrl) };
  const mailDir = env.MAIL_DIR?.trim();
  // Relative to the project root: the app and the worker run from packages/app.
  if (mailDir) return { kind: "files", dir: path.resolve(findProjectRoot(), mailDir) };
  if (env.NODE_ENV === "production") {
    throw new MailConfigError(
      "SMTP_URL",
      "SMTP_URL is not set: in production (NODE_ENV=production) mail goes through SMTP. " +
        "Set SMTP_URL=smtp://user:password@smtp.example.com:587 (or MAIL_DIR to write .eml files instead).",
    );
  }
  return { kind: "files", dir: path.join(findProjectRoot(), ".data", "mail") };
}

function checkSmtpUrl(value: string): string {
  const problem = urlProblem("SMTP_URL", value, ["smtp:", "smtps:"], "smtp://user:password@smtp.example.com:587 (or smtps://…)");
  if (problem) throw new MailConfigError("SMTP_URL", problem);
  if (!new URL(value).hostname)
    throw new MailConfigError("SMTP_URL", "SMTP_URL has no host; expected smtp://user:password@smtp.example.com:587.");
  return value;
}

function fromAddress(env: NodeJS.ProcessEnv): string {
  const from = env.MAIL_FROM?.trim();
  if (!from) return DEFAULT_FROM;
  // "name@example.com" or "Name <name@example.com>".
  if (!/^(?:[^<>]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from)) {
    throw new MailConfigError("MAIL_FROM", `MAIL_FROM must be an address like "My App <no-reply@example.com>", got "${from}"`);
  }
  return from;
}
