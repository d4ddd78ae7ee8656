import validatePackageName from "validate-npm-package-name";

export type NameCheck = { valid: true } | { valid: false; problems: string[]; suggestion?: string };

/**
 * The project's package name is its directory's base name, so the name must be
 * one npm would accept for a new package; warnings count as errors because
 * "valid for old packages only" names break tooling in surprising ways.
 */
export function checkProjectName(name: string): NameCheck {
  const result = validatePackageName(name);
  if (result.validForNewPackages) return { valid: true };
  const problems = [...(result.errors ?? []), ...(result.warnings ?? [])];
  const suggestion = suggestProjectName(name);
  return { valid: false, problems, ...(suggestion ? { suggestion } : {}) };
}

/** A close name that would pass, or undefined when nothing usable is left. */
export function suggestProjectName(name: string): string | undefined {
  const candidate = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "") // accents split off by NFKD
    .toLowerCase()
    .replace(/[^a-z0-9-~._]+/g, "-")
    .replace(/^[._\-~]+/, "")
    .replace(/-+$/, "")
    .slice(0, 214)
    .replace(/-+$/, "");
  if (!candidate || candidate === name) return undefined;
  return validatePackageName(candidate).validForNewPackages ? candidate : `${candidate}-app`;
}
