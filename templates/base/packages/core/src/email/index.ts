import { createMailer, type Mailer } from "./mailer.js";

export { createMailer, type MailMessage, type Mailer, type SentMail } from "./mailer.js";
export { MailConfigError, mailSettingsFromEnv, type MailSettings, type MailTransportSettings } from "./settings.js";

/** The project's mailer: SMTP_URL, else MAIL_DIR, else `.data/mail/` (development only). */
export const mailer: Mailer = createMailer();
