import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Segment } from "./render.js";

/**
 * A file's bytes, and its git blob id when the pack recorded it: the manifest needs every
 * file's, and hashing a hundred files is a good part of a run.
 */
export type FileContents = { contents: Buffer; blobId?: string };
/** A file as it is copied, or a .hbs template compiled for render.ts (segments). */
export type TemplateFile = FileContents | { segments: Segment[] };
/** One feature's files, paths relative to the project root (always "/"-separated). */
export type Overlay = Map<string, TemplateFile>;
export type Templates = Record<string, Overlay>;

/** Every overlay, one folder of templates/ each: base, then one per feature (see plan.ts's overlaysFor). */
export const overlayNames = ["base", "queue"] as const;

/**
 * The templates as the package ships them: compiled and packed into one file by the
 * build (template-pack.ts), one read instead of a walk of some hundred files. The
 * same path from src/ and dist/ alike.
 */
export const templatePackFile = fileURLToPath(new URL("../dist/templates.pack", import.meta.url));

export function loadShippedTemplates(): Templates {
  return parseTemplatePack(readFileSync(templatePackFile));
}

/**
 * The pack's format: a 4-byte length (little-endian), then that many bytes of JSON
 * (per overlay, per path: where a file's bytes lie in the rest, or a .hbs
 * template's compiled segments), then every file's bytes, one after another. Files
 * come out as views of the one buffer read, so nothing is copied or decoded.
 * template-pack.ts writes it.
 */
export type PackedFile = { offset: number; length: number; blobId: string } | { segments: Segment[] };
export type TemplatePack = Record<string, Record<string, PackedFile>>;

export function parseTemplatePack(pack: Buffer): Templates {
  const indexEnd = 4 + pack.readUInt32LE(0);
  const index = JSON.parse(pack.toString("utf8", 4, indexEnd)) as TemplatePack;
  const templates: Templates = {};
  for (const [overlay, files] of Object.entries(index)) {
    templates[overlay] = new Map(
      Object.entries(files).map(([file, packed]) => [
        file,
        "segments" in packed
          ? packed
          : { contents: pack.subarray(indexEnd + packed.offset, indexEnd + packed.offset + packed.length), blobId: packed.blobId },
      ]),
    );
  }
  return templates;
}
