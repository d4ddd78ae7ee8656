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
  if (!installed && pnpm === "pnpm" && !pnpmIsOnPath()) {
    lines.push("pnpm is not installed here: run `corepack enable pnpm` first, or `npm install --global pnpm@10`.");
  }
  return lines.join("\n");
}

/** Whether `pnpm` is a command here, read from PATH alone: cheap enough for every run without an install. */
export function pnpmIsOnPath(env: NodeJS.ProcessEnv = process.env): boolean {
  const names = process.platform === "win32" ? ["pnpm.cmd", "pnpm.exe", "pnpm"] : ["pnpm"];
  const dirs = (env.PATH ?? "").split(path.delimiter).filter(Boolean);
  return dirs.some((dir) => names.some((name) => isExecutable(path.join(dir, name))));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
