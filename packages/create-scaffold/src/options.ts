import path from "node:path";
import type { CliArgs } from "./args.js";
import { UsageError } from "./args.js";
import { checkProjectName } from "./names.js";

/** Everything the planner needs, validated. */
export interface Options {
  /** Absolute path of the project directory. */
  targetDir: string;
  /** npm package name of the project (the directory's base name). */
  name: string;
  queue: boolean;
  install: boolean;
  git: boolean;
}

export const defaults = { directory: "my-app", queue: true, install: true, git: true } as const;

export class CancelledError extends Error {
  constructor() {
    super("Cancelled");
  }
}

type Question = "directory" | "queue" | "install" | "git";

const howToAnswer: Record<Question, string> = {
  directory: "the directory as the first argument",
  queue: "--queue or --no-queue",
  install: "--install or --no-install",
  git: "--git or --no-git",
};

/** Questions a run still has to answer, in the order they are asked. */
export function missingAnswers(args: CliArgs): Question[] {
  const missing: Question[] = [];
  if (args.directory === undefined) missing.push("directory");
  if (args.queue === undefined) missing.push("queue");
  // A dry run neither installs nor commits, so those answers do not matter.
  if (!args.dryRun && args.install === undefined) missing.push("install");
  if (!args.dryRun && args.git === undefined) missing.push("git");
  return missing;
}

export function isInteractive(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = env.CI !== undefined && env.CI !== "" && env.CI !== "0" && env.CI.toLowerCase() !== "false";
  return Boolean(process.stdin.isTTY) && !ci;
}

/**
 * Turns command-line answers into Options: flags win, then --yes defaults,
 * then prompts (only with a terminal; unattended runs fail fast instead).
 */
export async function resolveOptions(args: CliArgs, cwd: string, interactive: boolean): Promise<Options> {
  const missing = args.yes ? [] : missingAnswers(args);
  if (missing.length > 0 && !interactive) {
    const needed = missing.map((question) => `  ${question}: pass ${howToAnswer[question]}`).join("\n");
    throw new UsageError(`No terminal to ask on, and these answers are missing:\n${needed}\nOr pass --yes to use the defaults.`);
  }

  const answers = {
    directory: args.directory ?? defaults.directory,
    queue: args.queue ?? defaults.queue,
    install: args.install ?? defaults.install,
    git: args.git ?? defaults.git,
  };
  if (missing.length > 0) {
    const { ask } = await import("./prompts.js");
    Object.assign(answers, await ask(missing, answers));
  }

  const targetDir = path.resolve(cwd, answers.directory);
  const name = path.basename(targetDir);
  const check = checkProjectName(name);
  if (!check.valid) {
    const hint = check.suggestion ? `\nTry: create-scaffold ${check.suggestion}` : "";
    throw new UsageError(`"${name}" cannot be the project's package name: ${check.problems.join("; ")}.${hint}`);
  }
  return { targetDir, name, queue: answers.queue, install: answers.install, git: answers.git };
}
