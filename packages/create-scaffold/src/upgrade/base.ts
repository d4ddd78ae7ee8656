import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { execa } from "execa";
import { blobId, type Manifest } from "../../../../templates/base/scripts/scaffold-manifest.mjs";
import { planProject } from "../plan.js";
import type { Templates } from "../templates.js";
import { generatorVersion } from "../version.js";
import { readBlobs } from "./git.js";

/** What the project's generator version generated: the merge base of an update. */
export interface Base {
  /** The old version's text of `file`; undefined when it generated no such file, or it cannot be found. */
  text(file: string): Promise<Buffer | undefined>;
  /** Why some texts could not be found, once they were asked for. */
  readonly notes: readonly string[];
}

/**
 * Finds what the project's version generated, the way copier does, cheapest first:
 * 1. the running generator is that version: it renders the files itself;
 * 2. git's object store holds them (the generator's initial commit, or the base an
 *    earlier update recorded under refs/scaffold/base);
 * 3. the registry: that version of the generator is fetched by name and run into a
 *    temporary folder — what a fresh clone, where git has neither, needs. Only when a
 *    merge asks for a text that git does not have.
 * A text counts only when its git blob id is the one .scaffold.json recorded.
 */
export async function findBase(
  root: string,
  manifest: Manifest,
  { repo, templates }: { repo: boolean; templates: Templates },
): Promise<Base> {
  if (manifest.generator.version === generatorVersion) {
    const rendered = new Map(planProject(manifest.answers, templates).map((file) => [file.path, file.contents]));
    return { text: async (file) => rendered.get(file), notes: [] };
  }
  const inGit = repo ? await readBlobs(root, Object.values(manifest.files)) : new Map<string, Buffer>();
  const notes: string[] = [];
  let fromRegistry: Promise<ReadonlyMap<string, Buffer>> | undefined;
  return {
    notes,
    async text(file) {
      const id = manifest.files[file];
      if (id === undefined) return undefined;
      const found = inGit.get(id);
      if (found) return found;
      fromRegistry ??= renderRelease(manifest).then((rendered) => {
        if ("byId" in rendered) return rendered.byId;
        notes.push(`${rendered.problem}; files whose old version is not in git are merged against an empty file`);
        return new Map();
      });
      return (await fromRegistry).get(id);
    },
  };
}

/** How long fetching and running an old release may take before the update goes on without it. */
const RENDER_TIMEOUT_MS = 180_000;

/**
 * Runs `<generator>@<version>` from the registry (npm's, as configured: npm_config_registry
 * or .npmrc) into a temporary folder with the project's answers, and returns what it
 * wrote, by git blob id.
 */
async function renderRelease({ generator, answers }: Manifest): Promise<{ byId: Map<string, Buffer> } | { problem: string }> {
  const spec = `${generator.name}@${generator.version}`;
  const dir = await mkdtemp(path.join(os.tmpdir(), "create-scaffold-release-"));
  try {
    const target = path.join(dir, answers.name);
    const args = [target, "--yes", "--no-install", "--no-git", answers.queue ? "--queue" : "--no-queue"];
    const run = await execa("npm", ["exec", "--yes", `--package=${spec}`, "--", generator.name, ...args], {
      cwd: dir,
      stdin: "ignore",
      all: true,
      reject: false,
      timeout: RENDER_TIMEOUT_MS,
      env: { CI: "true", npm_config_update_notifier: "false" },
    });
    if (run.exitCode !== 0) {
      const why = run.timedOut ? `timed out after ${RENDER_TIMEOUT_MS / 1000} s` : (run.all ?? "").trim().split("\n").slice(-3).join(" ");
      return { problem: `could not run ${spec} from the registry to find what it generated (${why})` };
    }
    const entries = await readdir(target, { recursive: true, withFileTypes: true });
    const written = await Promise.all(
      entries.filter((entry) => entry.isFile()).map((entry) => readFile(path.join(entry.parentPath, entry.name))),
    );
    return { byId: new Map(written.map((contents) => [blobId(contents), contents])) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
