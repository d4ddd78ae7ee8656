import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
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
  // One claim per message id, holding the message's path: the first writer wins.
  const claim = messageId && path.join(dir, ".sent", messageId.replace(/[^\w@.-]/g, "_"));
  if (claim) {
    await mkdir(path.dirname(claim), { recursive: true });
    if (!(await claimFor(claim, file))) return readFile(claim, "utf8");
  }
  const partial = `${file}.partial`;
  await writeFile(partial, message);
  await rename(partial, file);
  return file;
}

/**
 * Takes the claim `claim` for `file`; false if another writer holds it. The claim is
 * written whole under a name of its own, then linked into place (link() fails if the name
 * exists, atomically): a writer that loses never reads a claim half written, as it could
 * between an exclusive create and its write.
 */
async function claimFor(claim: string, file: string): Promise<boolean> {
  const draft = `${claim}.${randomBytes(6).toString("hex")}.draft`;
  await writeFile(draft, file);
  try {
    await link(draft, claim);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw error;
  } finally {
    await rm(draft, { force: true });
  }
}
