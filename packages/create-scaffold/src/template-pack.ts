import { writeFile } from "node:fs/promises";
import { blobId } from "../../../templates/base/scripts/scaffold-manifest.mjs";
import { loadTemplates } from "./template-folder.js";
import type { TemplatePack, Templates } from "./templates.js";

/**
 * Packs a template folder into the one file that generating a project reads
 * (templates.ts's loadShippedTemplates): what the build ships beside the bundle,
 * and what a test's fixture release of changed templates would.
 */
export async function writeTemplatePack(templatesDir: string, packFile: string): Promise<void> {
  await writeFile(packFile, serialiseTemplatePack(await loadTemplates(templatesDir)));
}

export function serialiseTemplatePack(templates: Templates): Buffer {
  const index: TemplatePack = {};
  const bodies: Buffer[] = [];
  let offset = 0;
  for (const [overlay, files] of Object.entries(templates)) {
    index[overlay] = {};
    for (const [file, entry] of files) {
      if ("segments" in entry) {
        index[overlay][file] = entry;
        continue;
      }
      index[overlay][file] = { offset, length: entry.contents.length, blobId: entry.blobId ?? blobId(entry.contents) };
      bodies.push(entry.contents);
      offset += entry.contents.length;
    }
  }
  const indexBytes = Buffer.from(JSON.stringify(index));
  const length = Buffer.alloc(4);
  length.writeUInt32LE(indexBytes.length);
  return Buffer.concat([length, indexBytes, ...bodies]);
}
