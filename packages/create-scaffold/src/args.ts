import { parseArgs as parse } from "node:util";

/** What the command line said; `undefined` means "not given", so a prompt may ask. */
export interface CliArgs {
  directory?: string;
  queue?: boolean;
  install?: boolean;
  git?: boolean;
  yes: boolean;
  dryRun: boolean;
  json: boolean;
  force: boolean;
  help: boolean;
  version: boolean;
}

/** `create-scaffold check [directory] [--json]`: run inside (or on) a generated project. */
export interface CheckArgs {
  directory?: string;
  json: boolean;
}

/** `create-scaffold update|add queue [directory] [--dry-run] [--force]`. */
export interface UpgradeArgs {
  directory?: string;
  dryRun: boolean;
  force: boolean;
}

export type Command =
  | { name: "create"; args: CliArgs }
  | { name: "check"; args: CheckArgs }
  | { name: "update"; args: UpgradeArgs }
  | { name: "add queue"; args: UpgradeArgs };

export class UsageError extends Error {}

export const helpText = `Usage: create-scaffold [directory] [options]
       create-scaffold check [directory] [--json]
       create-scaffold update [directory] [--dry-run] [--force]
       create-scaffold add queue [directory] [--dry-run] [--force]

Generate a pnpm + turbo backend monorepo with an optional background job queue.

Commands:
  (none)                     generate a project in [directory]
  check                      in a generated project: is packages/core as generated?
                             lists modified, missing and unexpected files;
                             exit 0 clean, 1 drift, 2 not a generated project
  update                     in a generated project: move it to this version of the
                             generator: packages/core replaced, package.json entries
                             merged, other files merged three-way (conflict markers
                             where you and the generator changed the same lines)
  add queue                  in a project generated without the job queue: add it
                             (to generate into a folder named "check", "update" or
                             "add", write ./check, ./update or ./add)

Options:
  --queue / --no-queue       enable the background job queue (default: yes)
  --install / --no-install   run pnpm install after generating (default: yes)
  --git / --no-git           initialise a git repository (default: yes)
  -y, --yes                  use the default for every question not answered by a flag
  --dry-run                  print every file that would be written, with its size; write nothing
  --json                     with --dry-run: print the plan as JSON
  --force                    write into a non-empty directory, overwriting only
                             the files create-scaffold emits and deleting nothing
  -h, --help                 show this help
  -v, --version              show the version

Without a terminal (or with CI=true) nothing is asked: pass every answer as a flag, or --yes.

Examples:
  npx create-scaffold my-app
  npx create-scaffold my-app --no-queue --yes
  npx create-scaffold my-app --dry-run --json
`;

function parseOptions(argv: string[]) {
  return parse({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      // Node 20's parseArgs has no --no-x negation, so each answer is a pair of flags.
      queue: { type: "boolean" },
      "no-queue": { type: "boolean" },
      install: { type: "boolean" },
      "no-install": { type: "boolean" },
      git: { type: "boolean" },
      "no-git": { type: "boolean" },
      yes: { type: "boolean", short: "y" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
      force: { type: "boolean" },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean", short: "v" },
    },
  });
}

/** Which command the command line asks for, and its arguments. */
export function parseCommand(argv: string[]): Command {
  if (argv[0] === "check") return { name: "check", args: parseCheckArgs(argv.slice(1)) };
  if (argv[0] === "update") return { name: "update", args: parseUpgradeArgs("update", argv.slice(1)) };
  if (argv[0] === "add") {
    if (argv[1] !== "queue")
      throw new UsageError(`add takes a feature: create-scaffold add queue [directory]${argv[1] ? ` (got "${argv[1]}")` : ""}.`);
    return { name: "add queue", args: parseUpgradeArgs("add queue", argv.slice(2)) };
  }
  return { name: "create", args: parseArgs(argv) };
}

function parseUpgradeArgs(command: string, argv: string[]): UpgradeArgs {
  const { directory, flags } = parseSubcommand(command, argv, ["dry-run", "force"]);
  return { directory, dryRun: flags["dry-run"] === true, force: flags.force === true };
}

function parseCheckArgs(argv: string[]): CheckArgs {
  const { directory, flags } = parseSubcommand("check", argv, ["json"]);
  return { directory, json: flags.json === true };
}

/** `create-scaffold <command> [directory] [--flag …]`, boolean flags only. */
function parseSubcommand(command: string, argv: string[], flagNames: readonly string[]) {
  const usage = `Usage: create-scaffold ${command} [directory]${flagNames.map((flag) => ` [--${flag}]`).join("")}`;
  let parsed: { values: Record<string, boolean | undefined>; positionals: string[] };
  try {
    const options = Object.fromEntries(flagNames.map((flag) => [flag, { type: "boolean" as const }]));
    parsed = parse({ args: argv, allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(`${firstSentence(error)}\n${usage}`);
  }
  if (parsed.positionals.length > 1) throw new UsageError(`${command} takes one directory, got ${parsed.positionals.length}.\n${usage}`);
  return { directory: parsed.positionals[0], flags: parsed.values };
}

/** Node's parseArgs messages go on about positionals; their first sentence is the point. */
function firstSentence(error: unknown): string {
  return `${(error as Error).message.split(". ")[0]}.`;
}

export function parseArgs(argv: string[]): CliArgs {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError(`${firstSentence(error)}\nRun create-scaffold --help for the options.`);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1) {
    throw new UsageError(`Expected one directory, got ${positionals.length}: ${positionals.join(" ")}.`);
  }
  const answer = (flag: "queue" | "install" | "git"): boolean | undefined => {
    const yes = values[flag] === true;
    const no = values[`no-${flag}`] === true;
    if (yes && no) throw new UsageError(`--${flag} and --no-${flag} contradict each other; pass one.`);
    return yes ? true : no ? false : undefined;
  };
  return {
    directory: positionals[0],
    queue: answer("queue"),
    install: answer("install"),
    git: answer("git"),
    yes: values.yes === true,
    dryRun: values["dry-run"] === true,
    json: values.json === true,
    force: values.force === true,
    help: values.help === true,
    version: values.version === true,
  };
}
