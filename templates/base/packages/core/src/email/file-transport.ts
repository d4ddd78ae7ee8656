import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes one message (RFC 5322 bytes, as nodemailer's stream transport builds
 * them) to `<dir>/<time>-<recipient>-<random>.eml` and returns the path. The
 * name starts with the time so a listing reads in order, and holds the
 * recipient so a message can be found by address. Written under a temporary
 * name and renamed, so a reader never sees half a file. With a stable
 * `messageId` (an idempotency key), a message already written is not written
 * again: its file is returned, as a mail service would keep one copy.
 */
export async function writeMailFile(dir: string, message: Buffer, recipient: string, messageId?: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const time = new Date().toISOString().replace(/[:.]/g, "-");
  const who = recipient.replace(/[^\w@.+-]/g, "_").slice(0, 100) || "unknown";
  const file = path.join(dir, `${time}-${who}-${randomBytes(3).toString("hex")}.eml`);
  // One claim per message id, taken atomically (exclusive create): the first writer wins.
  const claim = messageId && path.join(dir, ".sent", messageId.replace(/[^\w@.-]/g, "_"));
  if (claim) {
    await mkdir(path.dirname(claim), { recursive: true });
    try {
      await writeFile(claim, file, { flag: "wx" });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      return readFile(claim, "utf8");
    }
  }
  const partial = `${file}.partial`;
  await writeFile(partial, message);
  await rename(partial, file);
  return file;
}
