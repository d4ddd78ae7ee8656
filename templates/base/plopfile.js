// Code generators for this project, run with plop (https://plopjs.com):
//
//   pnpm plop task <name>    add a background task module and register it
//   pnpm plop task           the same, asking for the name
//
// `pnpm plop` runs scripts/plop.mjs, a thin wrapper around plop's own CLI that
// makes every failure exit non-zero. The templates live in plop-templates/.
//
// Every check runs before anything is written, so a refused name leaves the
// project exactly as it was.
import fs from "node:fs";
import path from "node:path";
import { readManifest } from "./scripts/scaffold-manifest.mjs";

const TASKS_DIR = "packages/app/src/tasks";

// Words a task cannot be called: JavaScript reserved words (in strict mode and
// modules), globals a declaration would shadow, and names that task modules or
// their tests already import (`worker`, vitest's `describe`/`it`/`expect`/...).
// biome-ignore format: word lists read best in rows
const RESERVED_WORDS = new Set([
  // ECMAScript reserved words
  "break", "case", "catch", "class", "const", "continue", "debugger", "default",
  "delete", "do", "else", "enum", "export", "extends", "false", "finally", "for",
  "function", "if", "import", "in", "instanceof", "new", "null", "return",
  "super", "switch", "this", "throw", "true", "try", "typeof", "var", "void",
  "while", "with",
  // reserved in strict mode code and in modules
  "await", "yield", "let", "static", "implements", "interface", "package",
  "private", "protected", "public", "arguments", "eval",
  // globals
  "undefined", "NaN", "Infinity", "globalThis",
]);
// biome-ignore format: word lists read best in rows
const NAMES_IN_USE = new Set([
  "worker", "describe", "it", "test", "expect", "vi", "beforeEach", "afterEach",
  "beforeAll", "afterAll",
]);

// A name is letters and digits, optionally in words separated by "-" or "_",
// starting with a letter: send-report, sendReport, send_report, SendReport.
const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9]*(?:[-_][A-Za-z0-9]+)*$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export default function (plop) {
  try {
    setup(plop);
  } catch (error) {
    // plop prints a plopfile that fails to load but still exits 0 on its own.
    process.exitCode = 1;
    throw error;
  }
}

function setup(plop) {
  const root = plop.getDestBasePath();
  const tasksDir = path.join(root, TASKS_DIR);
  const workerFile = path.join(tasksDir, "worker.ts");
  const camelCase = plop.getHelper("camelCase");
  const kebabCase = plop.getHelper("kebabCase");

  /** Why tasks cannot be added to this project at all, or null. */
  function queueProblem() {
    // Without a (readable) .scaffold.json, go by the files alone.
    const read = readManifest(root);
    const manifest = "manifest" in read ? read.manifest : undefined;
    if (manifest?.answers.queue === false || !fs.existsSync(workerFile)) {
      const version = manifest?.generator.version ?? "latest";
      return (
        "The background job queue is not enabled in this project; tasks need it. " +
        `To add it in place, commit your work and run \`npx create-scaffold@${version} add queue\` ` +
        "(or re-generate the project with `create-scaffold <dir> --queue`)."
      );
    }
    return null;
  }

  /** Names that task modules in packages/app/src/tasks already export or register. */
  function takenNames() {
    const exported = new Map(); // name -> file
    const registered = new Map(); // task name -> file
    for (const entry of fs.readdirSync(tasksDir, { withFileTypes: true })) {
      if (!entry.isFile() || !/\.[cm]?[jt]sx?$/.test(entry.name)) continue;
      const source = fs.readFileSync(path.join(tasksDir, entry.name), "utf8");
      for (const m of source.matchAll(
        /\bexport\s+(?:declare\s+)?(?:const|let|var|class|(?:async\s+)?function\s*\*?)\s+([A-Za-z_$][\w$]*)/g,
      )) {
        exported.set(m[1], entry.name);
      }
      for (const m of source.matchAll(/\bexport\s*(?:type\s*)?\{([^}]*)\}/g)) {
        for (const part of m[1].split(",")) {
          const name = part
            .trim()
            .split(/\s+as\s+/)
            .pop()
            ?.trim();
          if (name) exported.set(name, entry.name);
        }
      }
      for (const m of source.matchAll(/\.task\s*\(\s*["'`]([^"'`]+)["'`]/g)) {
        registered.set(m[1], entry.name);
      }
    }
    return { exported, registered };
  }

  /** Why `raw` cannot become a new task, or null when it can. */
  function nameProblem(raw) {
    const queue = queueProblem();
    if (queue) return queue;

    const name = typeof raw === "string" ? raw.trim() : "";
    if (name === "") {
      return "A task name is required, e.g. `pnpm plop task send-report`.";
    }
    const camel = camelCase(name);
    if (!NAME_PATTERN.test(name) || !IDENTIFIER.test(camel)) {
      return (
        `"${name}" is not a valid task name: use letters and digits, starting with ` +
        'a letter, in words separated by "-" or "_" (e.g. send-report or sendReport), ' +
        "so that it camel-cases to a JavaScript identifier."
      );
    }
    if (RESERVED_WORDS.has(camel)) {
      return `"${name}" is not a valid task name: "${camel}" is a reserved word in JavaScript. Pick another name.`;
    }
    if (NAMES_IN_USE.has(camel)) {
      return `"${name}" is not a valid task name: "${camel}" is a name task modules or their tests already import. Pick another name.`;
    }

    const kebab = kebabCase(name);
    for (const file of [`${kebab}.ts`, `${kebab}.test.ts`]) {
      if (fs.existsSync(path.join(tasksDir, file))) {
        return `Task "${camel}" already exists: ${TASKS_DIR}/${file} is already there.`;
      }
    }
    const workerSource = fs.readFileSync(workerFile, "utf8");
    if (workerSource.includes(`"./${kebab}.js"`) || workerSource.includes(`'./${kebab}.js'`)) {
      return `Task "${camel}" is already registered: ${TASKS_DIR}/worker.ts imports "./${kebab}.js".`;
    }
    const { exported, registered } = takenNames();
    if (registered.has(camel)) {
      return `Task "${camel}" already exists: it is registered in ${TASKS_DIR}/${registered.get(camel)}.`;
    }
    if (exported.has(camel)) {
      return `"${camel}" is already exported by ${TASKS_DIR}/${exported.get(camel)}. Pick another name.`;
    }
    return null;
  }

  // The name prompt. Asking needs a terminal: without one (CI, a pipe, a script)
  // it fails at once, naming what to pass, instead of waiting for input.
  const InputPrompt = plop.inquirer.prompt.prompts.input;
  class TaskNamePrompt extends InputPrompt {
    run() {
      const problem = queueProblem();
      if (problem) return Promise.reject(new Error(problem));
      const ci = process.env.CI && !/^(0|false)$/i.test(process.env.CI);
      if (!process.stdin.isTTY || ci) {
        return Promise.reject(
          new Error(
            "No task name given, and no terminal to ask for one. Pass the name: " +
              "`pnpm plop task <name>`, e.g. `pnpm plop task send-report`.",
          ),
        );
      }
      return super.run();
    }
  }
  plop.setPrompt("task-name", TaskNamePrompt);

  // Re-checks the final answers right before anything is written.
  plop.setActionType("check task name", (answers) => {
    const problem = nameProblem(answers.name);
    if (problem) throw new Error(problem);
    return `${camelCase(answers.name)} is free`;
  });

  plop.setGenerator("task", {
    description: `add a background task module to ${TASKS_DIR} and register it`,
    prompts: [
      {
        type: "task-name",
        name: "name",
        message: "Task name (e.g. send-report):",
        filter: (value) => (typeof value === "string" ? value.trim() : value),
        validate: (value) => nameProblem(value) ?? true,
      },
    ],
    actions: [
      { type: "check task name" },
      {
        type: "add",
        path: `${TASKS_DIR}/{{kebabCase name}}.ts`,
        templateFile: "plop-templates/task.ts.tpl",
      },
      {
        type: "add",
        path: `${TASKS_DIR}/{{kebabCase name}}.test.ts`,
        templateFile: "plop-templates/task.test.ts.tpl",
      },
      {
        // Register the module: a new import after the last line of worker.ts.
        type: "append",
        path: `${TASKS_DIR}/worker.ts`,
        pattern: /\S(?=\s*$)/,
        unique: false,
        template: 'import "./{{kebabCase name}}.js";',
      },
    ],
  });
}
