import { readFile, writeFile } from "node:fs/promises";

/** Rewrites a text file; throws when `change` changes nothing, so a fixture never silently misses its target. */
export async function editFile(file: string, change: (text: string) => string): Promise<void> {
  const before = await readFile(file, "utf8");
  const after = change(before);
  if (after === before) throw new Error(`the edit of ${file} changed nothing`);
  await writeFile(file, after);
}
