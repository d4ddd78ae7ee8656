import { createHash } from "node:crypto";
import nodemailer from "nodemailer";
import { redactUrl } from "../config/redact-url.js";
import { writeMailFile } from "./file-transport.js";
import { logger } from "../log/logger.js";
import { mailSettingsFromEnv, type MailSettings } from "./settings.js";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Default: the mailer's sender (MAIL_FROM). */
  from?: string;
  /**
   * The same key, the same message, sent once: for a task that may run twice (delivery is
   * at-least-once, and a worker can lose its database between sending and recording it).
   * Files: a second send with the key writes nothing. SMTP: the key becomes the Message-ID,
   * by which mail services and clients recognise a message they already have.
   */
  idempotencyKey?: string;
}

export interface SentMail {
  messageId: string;
  /** The `.eml` file written, when mail goes to files (development). */
  file?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<SentMail>;
  /** Where mail goes, for startup logs: "SMTP at smtp://host:587" or "files in /path". */
  describe(): string;
  /** Closes SMTP connections; a later send opens new ones. */
  close(): Promise<void>;
}

interface Transport {
  /** `messageId`, when given, is the message's stable identity (see `idempotencyKey`). */
  send(message: Omit<MailMessage, "idempotencyKey"> & { from: string; messageId?: string }): Promise<SentMail>;
  close(): void;
}

/** The domain of a sender address, `Name <a@b.example>` or `a@b.example`: Message-IDs end with it. */
function domainOf(from: string): string {
  return /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? "localhost";
}

/**
 * The project's email service on nodemailer. Settings are read on first use
 * (default: from the environment, see `mailSettingsFromEnv`), so importing it
 * never fails and a bad setting is reported, by name, where mail is sent.
 */
export function createMailer(settings: MailSettings | (() => MailSettings) = mailSettingsFromEnv): Mailer {
  let resolved: { settings: MailSettings; transport: Transport } | undefined;

  function open() {
    if (!resolved) {
      const current = typeof settings === "function" ? settings() : settings;
      resolved = { settings: current, transport: openTransport(current) };
    }
    return resolved;
  }

  return {
    async send({ idempotencyKey, ...message }) {
      const { settings: current, transport } = open();
      const from = message.from ?? current.from;
      const messageId = idempotencyKey && `<${createHash("sha256").update(idempotencyKey).digest("hex").slice(0, 32)}@${domainOf(from)}>`;
      return transport.send({ ...message, from, ...(messageId ? { messageId } : {}) });
    },
    describe() {
      const { transport } = open().settings;
      return transport.kind === "smtp" ? `SMTP at ${redactUrl(transport.url)}` : `files in ${transport.dir}`;
    },
    async close() {
      resolved?.transport.close();
      resolved = undefined;
    },
  };
}

function openTransport(settings: MailSettings): Transport {
  const { transport } = settings;
  if (transport.kind === "smtp") {
    const smtp = nodemailer.createTransport(transport.url);
    return {
      async send(message) {
        const info = await smtp.sendMail(message);
        return { messageId: info.messageId };
      },
      close: () => smtp.close(),
    };
  }
  // The stream transport builds the exact bytes an SMTP server would receive;
  // CRLF line ends make the file a standard .eml that mail clients open.
  const stream = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "windows" });
  return {
    async send(message) {
      const info = await stream.sendMail(message);
      const file = await writeMailFile(transport.dir, info.message as Buffer, message.to, message.messageId);
      logger("mail").info({ file }, `"${message.subject}" to ${message.to}: ${file}`);
      return { messageId: info.messageId, file };
    },
    close: () => {},
  };
}
