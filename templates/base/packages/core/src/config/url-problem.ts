/**
 * What is wrong with a URL setting, or undefined when it is a URL with one of
 * `protocols` ("postgres:", …). The value itself is never echoed: it may hold a password.
 */
export function urlProblem(name: string, value: string, protocols: readonly string[], example: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(value).protocol;
  } catch {
    return `${name} is not a URL; expected something like ${example}.`;
  }
  if (!protocols.includes(protocol)) return `${name} must start with ${protocols.map((p) => `${p}//`).join(" or ")}, got ${protocol}//…`;
  return undefined;
}
