import { mkdir, readdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import type { PlannedFile } from "../../packages/create-scaffold/src/plan.js";
import { overlaysFor, planProject } from "../../packages/create-scaffold/src/plan.js";
import { loadTemplates } from "../../packages/create-scaffold/src/template-folder.js";
import { tempDir } from "../support/cli.js";
import { templatesDir } from "../support/paths.js";

const templates = await loadTemplates(templatesDir);
const textOf = (contents: Buffer) => contents.toString("utf8");

/** Writes the files to a fresh folder; returns their absolute paths, in order. */
async function writeTree(files: readonly PlannedFile[]): Promise<string[]> {
  const root = await tempDir();
  return Promise.all(
    files.map(async (file) => {
      const target = path.join(root, file.path);
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, file.contents);
      return target;
    }),
  );
}

describe.each([
  { label: "queue-on", queue: true },
  { label: "queue-off", queue: false },
])("generated project, $label", ({ label, queue }) => {
  const files = planProject({ name: "my-app", queue }, templates);

  it("emits the expected set of files", () => {
    expect(files.map((file) => file.path)).toMatchSnapshot();
  });

  // One snapshot file per emitted file, so a template change reads as a plain diff.
  it.each(files.map((file) => [file.path, file] as const))("%s", async (filePath, file) => {
    await expect(textOf(file.contents)).toMatchFileSnapshot(`__snapshots__/${label}/${filePath}.snap`);
  });

  it("keeps a snapshot of no file that the project no longer has", async () => {
    const dir = fileURLToPath(new URL(`__snapshots__/${label}/`, import.meta.url));
    const snapshots = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((entry) => entry.isFile())
      .map((entry) =>
        path
          .relative(dir, path.join(entry.parentPath, entry.name))
          .split(path.sep)
          .join("/")
          .replace(/\.snap$/, ""),
      );
    expect(snapshots.sort()).toEqual(files.map((file) => file.path).sort());
  });

  it("renders no HTML escapes and leaves no Handlebars behind", () => {
    // Only *.hbs templates are rendered; plop's own files carry Handlebars for plop, verbatim.
    const rendered = new Set(
      Object.values(templates).flatMap((overlay) => [...overlay.keys()].filter((p) => p.endsWith(".hbs")).map((p) => p.slice(0, -4))),
    );
    expect(rendered.size).toBeGreaterThan(0);
    for (const file of files.filter((f) => rendered.has(f.path))) {
      const text = textOf(file.contents);
      expect(text, file.path).not.toMatch(/&(?:quot|amp|lt|gt|#x27|#x3D|#x60);/);
      expect(text, file.path).not.toMatch(/\{\{|\}\}/);
    }
  });

  it("copies every other template byte for byte", () => {
    const sources = new Map(overlaysFor({ name: "my-app", queue }).flatMap((overlay) => [...templates[overlay]!]));
    for (const file of files) {
      const source = sources.get(file.path) ?? sources.get(file.path.replace(/(^|\/)\.gitignore$/, "$1_gitignore"));
      if (source && "contents" in source) expect(file.contents.equals(source.contents), file.path).toBe(true);
    }
  });

  it("emits valid JSON for every .json file", () => {
    for (const file of files.filter((f) => f.path.endsWith(".json"))) {
      expect(() => JSON.parse(textOf(file.contents)), file.path).not.toThrow();
    }
  });

  it("is deterministic: the same answers give byte-identical files", () => {
    const again = planProject({ name: "my-app", queue }, templates);
    expect(again.map((file) => [file.path, textOf(file.contents)])).toEqual(files.map((file) => [file.path, textOf(file.contents)]));
  });

  it("records the answers, the generator-owned folder and git's blob id of every file in .scaffold.json", async () => {
    const manifest = JSON.parse(textOf(files.find((file) => file.path === ".scaffold.json")!.contents));
    expect(manifest.answers).toEqual({ name: "my-app", queue });
    expect(manifest.owned).toEqual(["packages/core/"]);
    const generated = files.filter((file) => file.path !== ".scaffold.json");
    expect(Object.keys(manifest.files).sort()).toEqual(generated.map((file) => file.path).sort());
    // The ids are git's own: `git hash-object` over the same bytes gives the same ids.
    const hashed = await execa("git", ["hash-object", "--stdin-paths", "--no-filters"], {
      input: (await writeTree(generated)).join("\n"),
    });
    expect(hashed.stdout.split("\n")).toEqual(generated.map((file) => manifest.files[file.path]));
  });
});

it("keeps the job queue's files out of a queue-off project", () => {
  const paths = planProject({ name: "my-app", queue: false }, templates).map((file) => file.path);
  expect(paths.filter((p) => p.includes("/tasks/"))).toEqual([]);
  const queuePaths = planProject({ name: "my-app", queue: true }, templates).map((file) => file.path);
  expect(queuePaths).toContain("packages/core/src/tasks/worker.ts");
  expect(queuePaths).toContain("packages/app/src/tasks/emails.ts");
  expect(queuePaths).toContain("packages/app/src/tasks/worker.ts");
});

it("names the project after its directory in package.json and README", () => {
  const files = planProject({ name: "billing-service", queue: true }, templates);
  const pkg = JSON.parse(textOf(files.find((file) => file.path === "package.json")!.contents));
  expect(pkg.name).toBe("billing-service");
  expect(pkg.scripts["worker:dev"]).toBeDefined();
  const off = planProject({ name: "billing-service", queue: false }, templates);
  expect(JSON.parse(textOf(off.find((file) => file.path === "package.json")!.contents)).scripts["worker:dev"]).toBeUndefined();
});

it("reads no installs or caches that tools leave inside a template tree", async () => {
  const dir = await tempDir("templates-");
  for (const file of [
    "base/keep.txt",
    "base/packages/app/node_modules/.vite/results.json",
    "base/.turbo/log",
    "base/packages/app/dist/x.js",
    "base/.data/pg",
  ]) {
    await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
    await writeFile(path.join(dir, file), "x");
  }
  const loaded = await loadTemplates(dir, ["base"]);
  expect([...loaded.base!.keys()]).toEqual(["keep.txt"]);
});
