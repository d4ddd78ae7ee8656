/**
 * A three-way merge of a package.json, entry by entry: what the generator changed
 * between two versions (a dependency bumped, a script added) is applied, and what
 * the user changed (their own dependencies, an edited script) is kept. An entry both
 * changed keeps the user's value and is reported; the file stays valid JSON, so
 * pnpm can still read it.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function mergePackageJson(ours: Buffer, base: Buffer, theirs: Buffer): { contents: Buffer; kept: string[] } {
  const kept: string[] = [];
  const merged = mergeObject(parse(ours), parse(base), parse(theirs), "", kept);
  return { contents: Buffer.from(`${JSON.stringify(merged, null, 2)}\n`), kept };
}

function parse(contents: Buffer): JsonObject {
  const value = JSON.parse(contents.toString("utf8")) as Json;
  return isObject(value) ? value : {};
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

const same = (a: Json | undefined, b: Json | undefined) => JSON.stringify(a) === JSON.stringify(b);

function mergeObject(ours: JsonObject, base: JsonObject, theirs: JsonObject, where: string, kept: string[]): JsonObject {
  const result: JsonObject = { ...ours };
  for (const key of new Set([...Object.keys(base), ...Object.keys(theirs)])) {
    const [o, b, t] = [ours[key], base[key], theirs[key]];
    const name = where ? `${where}.${key}` : key;
    if (same(b, t) || same(o, t)) continue; // the generator did not change it, or both agree
    if (isObject(o) && isObject(b) && isObject(t)) {
      result[key] = mergeObject(o, b, t, name, kept);
    } else if (same(o, b)) {
      if (t === undefined) delete result[key];
      else result[key] = t;
    } else {
      const yours = o === undefined ? "you removed it" : `yours is ${JSON.stringify(o)}`;
      kept.push(`${name}: kept (${yours}); the generator now has ${t === undefined ? "none" : JSON.stringify(t)}`);
    }
  }
  // New entries in dependency maps go where pnpm would put them: in name order.
  return /ependencies$/.test(where) ? Object.fromEntries(Object.entries(result).sort(([a], [b]) => (a < b ? -1 : 1))) : result;
}
