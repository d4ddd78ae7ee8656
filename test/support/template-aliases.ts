import { fileURLToPath } from "node:url";

const templates = fileURLToPath(new URL("../../templates/", import.meta.url));

/**
 * Vite/vitest aliases that resolve the generated project's package names to the
 * template sources in this repo, as pnpm workspace links do in a generated project.
 * Exact-match regexes: "@repo/core" must not swallow "@repo/core/tasks".
 * Use as `test: { alias: templateAliases }` (or `resolve.alias`).
 */
export const templateAliases = [
  { find: /^@repo\/core\/tasks$/, replacement: `${templates}queue/packages/core/src/tasks/index.ts` },
  { find: /^@repo\/core\/schema$/, replacement: `${templates}base/packages/core/src/db/schema.ts` },
  { find: /^@repo\/core$/, replacement: `${templates}base/packages/core/src/index.ts` },
];
