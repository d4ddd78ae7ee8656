import { execa } from "execa";

/** How to run pnpm on this machine: a command and the arguments that come before pnpm's own. */
export interface PnpmCommand {
  file: string;
  prefix: string[];
  label: string;
}

const candidates: PnpmCommand[] = [
  { file: "pnpm", prefix: [], label: "pnpm" },
  { file: "corepack", prefix: ["pnpm"], label: "corepack pnpm" },
  { file: "npx", prefix: ["--yes", "pnpm@10"], label: "npx pnpm@10" },
];

/** pnpm is not assumed to be installed: the first candidate that answers wins. */
export async function findPnpm(): Promise<PnpmCommand | undefined> {
  for (const candidate of candidates) {
    try {
      await execa(candidate.file, [...candidate.prefix, "--version"], {
        stdin: "ignore",
        timeout: 120_000,
        env: { COREPACK_ENABLE_DOWNLOAD_PROMPT: "0" },
      });
      return candidate;
    } catch {
      // not installed, or (corepack) unable to fetch pnpm: try the next one
    }
  }
  return undefined;
}
