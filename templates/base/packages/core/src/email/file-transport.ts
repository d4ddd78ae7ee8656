import { randomBytes } from "node:crypto";
import { mkdir, rename, writeFile } from "node:fs/promises";
import path from "node:path";

/**
 * Writes one message (RFC 5322 bytes, as nodemailer's stream transport builds
 * them) to `<dir>/<time>-<recipient>-<random>.eml` and returns the path. The
 * name starts with the time so a listing reads in order, and holds the
 * recipient so a message can be found by address. Written under a temporary
 * name and renamed, so a reader never sees half a file.
 */
export async function writeMailFile(dir: string, message: Buffer, recipient: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const time = new Date().toISOString().replace(/[:.]/g, "-");
  const who = recipient.replace(/[^\w@.+-]/g, "_").slice(0, 100) || "unknown";
  const file = path.join(dir, `${time}-${who}-${randomBytes(3).toString("hex")}.eml`);
  const partial = `${file}.partial`;
  await writeFile(partial, message);
  await rename(partial, file);
  return file;
}
