import path from "node:path";
import { type CheckArgs, helpText, parseCommand, type UpgradeArgs, UsageError } from "./args.js";
import { nextSteps } from "./next-steps.js";
import { CancelledError, isInteractive, resolveOptions, type Options } from "./options.js";
import { type PlannedFile, planProject } from "./plan.js";
import { inspectTarget } from "./target.js";
import { loadShippedTemplates } from "./templates.js";
import { mark } from "./timings.js";
import { plainUi, terminalUi, type Ui } from "./ui.js";
import { generatorVersion } from "./version.js";
import { writePlan } from "./write.js";

async function main(argv: string[]): Promise<number> {
  mark("node start and CLI load");
  const command = parseCommand(argv);
  if (command.name === "check") return check(command.args);
  if (command.name === "update") return upgrade("update", command.args);
  if (command.name === "add queue") return upgrade("add queue", command.args);
  const { args } = command;
  if (args.help) {
    process.stdout.write(helpText);
    return 0;
  }
  if (args.version) {
    console.log(generatorVersion);
    return 0;
  }
  if (args.json && !args.dryRun) throw new UsageError("--json goes with --dry-run.");

  const interactive = isInteractive();
  const ui = interactive ? await terminalUi() : plainUi;
  ui.intro(`create-scaffold ${generatorVersion}`);

  const options = await resolveOptions(args, process.cwd(), interactive);
  const target = await inspectTarget(options.targetDir);
  const shownDir = path.relative(process.cwd(), options.targetDir) || ".";
  if (target.kind === "not-a-directory") throw new UsageError(`${shownDir} exists and is not a directory.`);
  if (target.kind === "occupied" && !args.force) {
    const listed = target.conflicts.map((entry) => `  ${entry}`).join("\n");
    throw new UsageError(
      `${shownDir} is not empty; it holds:\n${listed}\nChoose another directory, empty this one, or pass --force to overwrite only the files create-scaffold emits.`,
    );
  }

  mark("options and target check");

  // The planner, the pack reader and the writer are imported up front: a few kilobytes
  // now that no template compiler comes with them, cheaper than a later trip through
  // the module loader. Prompts, post steps and update stay lazy.
  const templates = loadShippedTemplates();
  mark("template read");
  const files = planProject({ name: options.name, queue: options.queue }, templates);
  mark("plan");
  if (args.dryRun) {
    printPlan(files, options, args.json);
    return 0;
  }

  await writePlan(files, options.targetDir, target.kind !== "missing");
  mark("write");
  ui.info(`Created ${options.name} in ${shownDir} (${files.length} files, job queue ${options.queue ? "on" : "off"}).`);
  return finish(options, shownDir, ui);
}

/** `update` and `add queue`: one operation (see upgrade/command.ts), loaded only when asked for. */
async function upgrade(name: "update" | "add queue", args: UpgradeArgs): Promise<number> {
  const { upgrade } = await import("./upgrade/command.js");
  return upgrade(name, args);
}

/** `check`: the generated project's own check script, run on the given folder. */
async function check({ directory, json }: CheckArgs): Promise<number> {
  const { runCheck } = await import("../../../templates/base/scripts/scaffold-check.mjs");
  return runCheck(path.resolve(directory ?? "."), { json });
}

async function finish(options: Options, shownDir: string, ui: Ui): Promise<number> {
  const cd = shownDir === "." ? [] : [`cd ${shownDir}`];
  // What the user types to run pnpm; the install may find it runs another way.
  let pnpm = "pnpm";
  // Ctrl-C from here on: the project is already complete, so say how to finish it.
  const onInterrupt = () => {
    console.error(`\nCancelled. The project is complete; to finish: ${[...cd, `${pnpm} install`].join(" && ")}`);
    process.exit(130);
  };
  process.once("SIGINT", onInterrupt);
  try {
    // execa is loaded only when a post step runs.
    const post = options.install || options.git ? await import("./post.js") : undefined;
    if (post && options.install) {
      const installed = await ui.task("Installing dependencies with pnpm", () => post.installDependencies(options.targetDir));
      if (installed.pnpm) pnpm = installed.pnpm.label;
      if (!installed.ok) {
        ui.error(installed.message);
        ui.error(`The project is complete; only the install failed. To retry: ${[...cd, `${pnpm} install`].join(" && ")}`);
        return 1;
      }
      if (installed.note) ui.info(installed.note);
    }
    if (post && options.git) {
      const git = await post.initialiseGit(options.targetDir);
      if (git.ok) ui.info(git.note ?? "git ready");
      else ui.warn(`${git.message}\nThe project is complete; set up git yourself when ready.`);
    }
  } finally {
    process.off("SIGINT", onInterrupt);
  }
  ui.outro(nextSteps({ cd, installed: options.install, pnpm }));
  return 0;
}

function printPlan(files: readonly PlannedFile[], options: Options, json: boolean): void {
  if (json) {
    const plan = {
      directory: options.targetDir,
      name: options.name,
      answers: { queue: options.queue },
      files: files.map((file) => ({ path: file.path, bytes: file.contents.length })),
    };
    console.log(JSON.stringify(plan, null, 2));
    return;
  }
  const width = Math.max(...files.map((file) => String(file.contents.length).length));
  for (const file of files) console.log(`${String(file.contents.length).padStart(width)}  ${file.path}`);
  const total = files.reduce((sum, file) => sum + file.contents.length, 0);
  console.log(`${files.length} files, ${total} bytes would be written to ${options.targetDir} (dry run: nothing written)`);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof CancelledError) {
      console.error("Cancelled");
      process.exitCode = 130;
    } else if (error instanceof UsageError) {
      console.error(`error: ${error.message}`);
      process.exitCode = 1;
    } else {
      console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
