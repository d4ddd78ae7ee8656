#!/usr/bin/env node
// Times the packed create-scaffold CLI generating a project with the queue on
// (--yes --no-install --no-git) side by side with create-vite (a pinned dev
// dependency, its vanilla-ts template, non-interactive) in the same run, and an
// empty Node process as the floor both stand on. Runs are interleaved, the order
// alternating, so all three see the same machine load. Prints median times, the
// ratio, the files each writes and what making them empty costs on this file system,
// and where create-scaffold's time goes, phase by phase (CREATE_SCAFFOLD_TIMINGS=1, in
// runs of their own).
//
//   node bench/generate.mjs [runs]      (default 30; build first: pnpm build)
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { median } from "./runtime/stats.mjs";

const runs = Number(process.argv[2] ?? 30);
const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const work = mkdtempSync(path.join(os.tmpdir(), "create-scaffold-bench-"));
const { packageManager } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));

// Pack exactly what would be published, then unpack it: the benchmark runs the tarball's contents.
execFileSync("npx", ["--yes", packageManager, "pack", "--pack-destination", work], {
  cwd: path.join(repoRoot, "packages/create-scaffold"),
  stdio: "ignore",
});
const tarball = readdirSync(work).find((file) => file.endsWith(".tgz"));
const tarballPath = path.join(work, tarball);
execFileSync("tar", ["-xzf", tarballPath, "-C", work]);
const createScaffold = path.join(work, "package/dist/index.js");
const createVite = path.join(repoRoot, "node_modules/create-vite/index.js");
const { version: viteVersion } = JSON.parse(readFileSync(path.join(repoRoot, "node_modules/create-vite/package.json"), "utf8"));

// Each gets a directory name relative to the working folder, as a user would type it.
const contenders = {
  "create-scaffold": (dir) => [createScaffold, dir, "--yes", "--no-install", "--no-git"],
  [`create-vite ${viteVersion}`]: (dir) => [createVite, dir, "--template", "vanilla-ts", "--no-interactive", "--no-immediate"],
  "empty node": () => ["-e", "0"],
};
const names = Object.keys(contenders);

/** What a run wrote: its folders (parents first) and files, relative to its directory. */
function treeOf(dir) {
  const entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  const relative = (entry) => path.relative(dir, path.join(entry.parentPath, entry.name));
  return {
    folders: entries
      .filter((entry) => entry.isDirectory())
      .map(relative)
      .sort(),
    files: entries.filter((entry) => entry.isFile()).map(relative),
  };
}

/**
 * The file system's share: the same folders and files made empty, in this (warm) process.
 * Making a file costs far more on some file systems than on others (an ext4 volume that
 * has just seen many files made and removed, as a benchmark does, can take 20–400 µs a
 * file), so this says how much of a run is the file count alone.
 */
function makeEmptyTree(tree, index) {
  const dir = path.join(work, `empty-tree-${index}`);
  const start = process.hrtime.bigint();
  mkdirSync(dir);
  for (const folder of tree.folders) mkdirSync(path.join(dir, folder));
  for (const file of tree.files) writeFileSync(path.join(dir, file), "");
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  rmSync(dir, { recursive: true, force: true });
  return elapsed;
}

/** What each contender that writes files wrote (treeOf), read from its first run. */
const trees = {};

function run(name, index, env = process.env) {
  const dir = `${name.split(" ")[0]}-${index}`;
  const start = process.hrtime.bigint();
  const { status, stderr } = spawnSync(process.execPath, contenders[name](dir), {
    cwd: work,
    env,
    stdio: ["ignore", "ignore", "pipe"],
    encoding: "utf8",
  });
  const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
  const absolute = path.join(work, dir);
  if (status !== 0) throw new Error(`${name} exited with ${status}:\n${stderr}`);
  // Every run writes the same tree: read it once.
  if (name !== "empty node") trees[name] ??= treeOf(absolute);
  rmSync(absolute, { recursive: true, force: true });
  return { elapsed, stderr };
}

// Run 0 of each warms the file system cache (and Node's compile cache, where it has one).
const times = Object.fromEntries(names.map((name) => [name, []]));
for (let index = 0; index <= runs; index++) {
  const order = index % 2 === 0 ? names : [...names].reverse();
  for (const name of order) {
    const { elapsed } = run(name, index);
    if (index > 0) times[name].push(elapsed);
  }
}
// The contenders that write files, in the order of `names`: create-scaffold, create-vite.
const writers = names.filter((name) => trees[name]);
const emptyTreeTimes = Object.fromEntries(writers.map((name) => [name, []]));
for (let index = 0; index < runs; index++) {
  for (const name of index % 2 === 0 ? writers : [...writers].reverse()) emptyTreeTimes[name].push(makeEmptyTree(trees[name], index));
}

// The phase breakdown, from runs of their own so that printing it costs the timed runs nothing.
const phases = {};
for (let index = 0; index < Math.min(runs, 15); index++) {
  const { stderr } = run("create-scaffold", `timed-${index}`, { ...process.env, CREATE_SCAFFOLD_TIMINGS: "1" });
  const line = stderr.split("\n").find((text) => text.startsWith("timings "));
  for (const [phase, ms] of Object.entries(JSON.parse(line.slice("timings ".length)))) {
    phases[phase] ??= [];
    phases[phase].push(ms);
  }
}

const medians = Object.fromEntries(names.map((name) => [name, median(times[name])]));
const [ours, theirs, floor] = names.map((name) => medians[name]);
console.log(`runs: ${runs} each, interleaved, Node ${process.version}, ${os.cpus().length} CPUs`);
for (const name of names) {
  const files = trees[name] ? `  ${trees[name].files.length} files in ${trees[name].folders.length + 1} folders` : "";
  console.log(`${name.padEnd(18)} median ${medians[name].toFixed(1).padStart(6)} ms  (min ${Math.min(...times[name]).toFixed(1)})${files}`);
}
console.log(`ratio create-scaffold / create-vite: ${(ours / theirs).toFixed(2)}x`);
console.log(`above the empty-node floor: create-scaffold ${(ours - floor).toFixed(1)} ms, create-vite ${(theirs - floor).toFixed(1)} ms`);
const [oursEmpty, theirsEmpty] = writers.map((name) => median(emptyTreeTimes[name]));
console.log(
  `the file system alone, the same folders and files made empty: create-scaffold ${oursEmpty.toFixed(1)} ms, create-vite ${theirsEmpty.toFixed(1)} ms`,
);
console.log(
  `above the floor, less the file system alone: create-scaffold ${(ours - floor - oursEmpty).toFixed(1)} ms, create-vite ${(theirs - floor - theirsEmpty).toFixed(1)} ms`,
);
console.log("create-scaffold phases (medians, ms):");
for (const [phase, values] of Object.entries(phases)) console.log(`  ${phase.padEnd(28)} ${median(values).toFixed(1).padStart(6)}`);
console.log(`packed tarball ${tarball}: ${(statSync(tarballPath).size / 1024).toFixed(1)} KiB`);
rmSync(work, { recursive: true, force: true });
