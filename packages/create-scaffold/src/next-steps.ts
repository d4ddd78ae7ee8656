import { accessSync, constants } from "node:fs";
import path from "node:path";

/** What the user types to run pnpm: what the install ran, else plain pnpm. */
export interface NextStepsInput {
  /** `cd <dir>`, or nothing when the project is the current directory. */
  cd: string[];
  installed: boolean;
  pnpm: string;
}

export function nextSteps({ cd, installed, pnpm }: NextStepsInput): string {
  const steps = [...cd, ...(installed ? [] : [`${pnpm} install`]), `${pnpm} dev`, `${pnpm} test`];
  const lines = [`Next steps:`, ...steps.map((step) => `  ${step}`)];
  // Without an install nothing ran pnpm: say so when the `pnpm` named above is not a command here.
  if (!installed && !pnpmIsOnPath()) {
    lines.push("pnpm is not installed here: run `corepack enable pnpm` first, or `npm install --global pnpm@10`.");
  }
  return lines.join("\n");
}

/** Whether `pnpm` is a command here, read from PATH alone: cheap enough for every run without an install. */
export function pnpmIsOnPath(): boolean {
  const names = process.platform === "win32" ? ["pnpm.cmd", "pnpm.exe", "pnpm"] : ["pnpm"];
  return names.some((name) => findOnPath(name) !== undefined);
}

/** The first executable `name` in PATH's folders, as a shell would find it. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.map((dir) => path.join(dir, name)).find(isExecutable);
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
