/** The URL with its password (and password-like query parameters) replaced by "***", for logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass|secret|token/i.test(key)) parsed.searchParams.set(key, "***");
    }
    return parsed.toString();
  } catch {
    // Not a URL (e.g. a libpq "key=value" string): redact what looks like credentials.
    return url.replace(/(\/\/[^:/@\s]*:)[^@\s]*@/, "$1***@").replace(/(password\s*=\s*)\S+/gi, "$1***");
  }
}
