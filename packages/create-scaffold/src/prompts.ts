import * as prompts from "@clack/prompts";
import { CancelledError, defaults } from "./options.js";
import { checkProjectName } from "./names.js";
import path from "node:path";

type Answers = { directory: string; queue: boolean; install: boolean; git: boolean };

function unlessCancelled<T>(value: T | symbol): T {
  if (prompts.isCancel(value)) throw new CancelledError();
  return value as T;
}

/** Asks only the questions in `missing`; the rest keep the values given. */
export async function ask(missing: readonly string[], given: Answers): Promise<Answers> {
  const answers = { ...given };
  if (missing.includes("directory")) {
    answers.directory = unlessCancelled<string>(
      await prompts.text({
        message: "Where should the project go?",
        placeholder: defaults.directory,
        defaultValue: defaults.directory,
        validate: (value) => {
          const name = path.basename(path.resolve(value || defaults.directory));
          const check = checkProjectName(name);
          if (check.valid) return undefined;
          return `${check.problems[0]}${check.suggestion ? ` (try ${check.suggestion})` : ""}`;
        },
      }),
    );
  }
  if (missing.includes("queue")) {
    answers.queue = unlessCancelled<boolean>(
      await prompts.confirm({ message: "Enable the background job queue?", initialValue: defaults.queue }),
    );
  }
  if (missing.includes("install")) {
    answers.install = unlessCancelled<boolean>(
      await prompts.confirm({ message: "Install dependencies with pnpm?", initialValue: defaults.install }),
    );
  }
  if (missing.includes("git")) {
    answers.git = unlessCancelled<boolean>(await prompts.confirm({ message: "Initialise a git repository?", initialValue: defaults.git }));
  }
  return answers;
}
