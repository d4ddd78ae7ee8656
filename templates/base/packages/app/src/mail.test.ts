import { randomUUID } from "node:crypto";
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SMTPServer } from "smtp-server";
import { createMailer, MailConfigError, mailer, mailSettingsFromEnv } from "@repo/core";

const tempDirs: string[] = [];
afterAll(async () => {
  await mailer.close();
  await Promise.all(tempDirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "mail-test-"));
  tempDirs.push(dir);
  return dir;
}

describe("mailer writing .eml files (development)", () => {
  it("writes each message as a standard .eml named after its recipient", async () => {
    const dir = await tempDir();
    const files = createMailer({ transport: { kind: "files", dir }, from: "Test <sender@example.com>" });
    const to = `${randomUUID()}@example.com`;
    const sent = await files.send({ to, subject: "Hello there", text: "First line\nSecond line\n" });

    expect(path.dirname(sent.file!)).toBe(dir);
    expect(path.basename(sent.file!)).toContain(to);
    expect(await readdir(dir)).toEqual([path.basename(sent.file!)]); // no partial file left behind
    const eml = await readFile(sent.file!, "utf8");
    expect(eml).toContain(`To: ${to}\r\n`);
    expect(eml).toContain("From: Test <sender@example.com>\r\n");
    expect(eml).toContain("Subject: Hello there\r\n");
    expect(eml).toContain(`Message-ID: ${sent.messageId}`);
    expect(eml).toContain("First line\r\nSecond line");
    expect(files.describe()).toBe(`files in ${dir}`);
  });

  it("with an idempotency key, the same message sent twice (a task run twice) is written once", async () => {
    const dir = await tempDir();
    const files = createMailer({ transport: { kind: "files", dir }, from: "Test <sender@example.com>" });
    const to = `${randomUUID()}@example.com`;
    const sends = await Promise.all(
      [1, 2, 3].map(() => files.send({ to, subject: "Welcome", text: "once", idempotencyKey: `welcome-${to}` })),
    );
    const other = await files.send({ to, subject: "Welcome", text: "another key", idempotencyKey: `other-${to}` });
    const emls = (await readdir(dir)).filter((name) => name.endsWith(".eml"));
    expect(emls.sort()).toEqual([path.basename(sends[0]!.file!), path.basename(other.file!)].sort());
    expect(new Set(sends.map((sent) => sent.file)).size).toBe(1);
    expect(await readFile(sends[0]!.file!, "utf8")).toMatch(/Message-ID: <[0-9a-f]{32}@example\.com>\r\n/);
  });

  it("the project's mailer follows MAIL_DIR", async () => {
    const to = `${randomUUID()}@example.com`;
    const sent = await mailer.send({ to, subject: "Via MAIL_DIR", text: "hi" });
    expect(path.dirname(sent.file!)).toBe(path.resolve(process.env.MAIL_DIR!));
    expect(await readFile(sent.file!, "utf8")).toContain("From: no-reply@localhost");
  });
});

describe("mailer over SMTP", () => {
  it("delivers to the SMTP server of SMTP_URL", async () => {
    const received: { from: string; to: string[]; data: string }[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const envelope = session.envelope;
          received.push({
            from: envelope.mailFrom ? envelope.mailFrom.address : "",
            to: envelope.rcptTo.map((rcpt) => rcpt.address),
            data: Buffer.concat(chunks).toString("utf8"),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.server.address() as AddressInfo;
    const smtp = createMailer(mailSettingsFromEnv({ SMTP_URL: `smtp://127.0.0.1:${port}`, MAIL_FROM: "app@example.com" }));
    try {
      const to = `${randomUUID()}@example.com`;
      const sent = await smtp.send({ to, subject: "Over SMTP", text: "delivered" });
      expect(sent.file).toBeUndefined();
      expect(received).toHaveLength(1);
      expect(received[0]).toMatchObject({ from: "app@example.com", to: [to] });
      expect(received[0]!.data).toContain("Subject: Over SMTP");
      expect(received[0]!.data).toContain(sent.messageId);
      // With an idempotency key, every send of the message carries one Message-ID.
      const keyed = [1, 2].map(() => smtp.send({ to, subject: "Keyed", text: "same", idempotencyKey: "welcome-1" }));
      const ids = (await Promise.all(keyed)).map((one) => one.messageId);
      expect(ids[0]).toMatch(/^<[0-9a-f]{32}@example\.com>$/);
      expect(ids[1]).toBe(ids[0]);
      expect(smtp.describe()).toBe(`SMTP at smtp://127.0.0.1:${port}`);
    } finally {
      await smtp.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});

describe("mail settings", () => {
  const fails = (env: NodeJS.ProcessEnv) => {
    try {
      mailSettingsFromEnv(env);
    } catch (error) {
      expect(error).toBeInstanceOf(MailConfigError);
      return error as MailConfigError;
    }
    throw new Error("expected a MailConfigError");
  };

  it("development without SMTP writes to .data/mail under the project root", () => {
    const settings = mailSettingsFromEnv({});
    expect(settings.transport.kind).toBe("files");
    if (settings.transport.kind === "files") expect(settings.transport.dir.endsWith(path.join(".data", "mail"))).toBe(true);
  });

  it("production needs SMTP_URL (or an explicit MAIL_DIR)", () => {
    const error = fails({ NODE_ENV: "production" });
    expect(error.variable).toBe("SMTP_URL");
    expect(error.message).toContain("SMTP_URL is not set");
    expect(mailSettingsFromEnv({ NODE_ENV: "production", MAIL_DIR: "/tmp/x" }).transport).toEqual({ kind: "files", dir: "/tmp/x" });
  });

  it("a malformed SMTP_URL is named, and its password never echoed", () => {
    expect(fails({ SMTP_URL: "mail.example.com:587" }).message).toMatch(/^SMTP_URL must start with smtp:\/\/ or smtps:\/\//);
    const notUrl = fails({ SMTP_URL: "smtp://user:s3cret@bad host:25" });
    expect(notUrl.message).toMatch(/^SMTP_URL is not a URL/);
    expect(notUrl.message).not.toContain("s3cret");
    expect(fails({ SMTP_URL: "https://user:s3cret@example.com" }).message).not.toContain("s3cret");
  });

  it("a malformed MAIL_FROM is named", () => {
    expect(fails({ MAIL_FROM: "not an address" }).variable).toBe("MAIL_FROM");
    expect(mailSettingsFromEnv({ MAIL_FROM: "My App <hello@example.com>" }).from).toBe("My App <hello@example.com>");
  });
});
