#!/usr/bin/env node
// Times the packed create-scaffold CLI generating a project
// (--yes --no-install --no-git) side by side with create-vite (a pinned dev
// dependency) in the same run, interleaved so both see the same machine load.
// Prints median times, their ratio, and the packed tarball's size.
//
//   node bench/generate.mjs [runs]      (default 20; build first: pnpm build)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const runs = Number(process.argv[2] ?? 20);
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

const contenders = {
  "create-scaffold": (dir) => ["node", [createScaffold, dir, "--yes", "--no-install", "--no-git"]],
  "create-vite": (dir) => ["node", [createVite, dir, "--template", "vanilla-ts"]],
};

const times = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
for (let run = 0; run < runs + 1; run++) {
  for (const [name, command] of Object.entries(contenders)) {
    const dir = path.join(work, `${name}-${run}`);
    const [file, args] = command(dir);
    const start = process.hrtime.bigint();
    execFileSync(file, args, { cwd: work, stdio: "ignore" });
    const elapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (run > 0) times[name].push(elapsed); // run 0 warms the file system cache
    rmSync(dir, { recursive: true, force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const ours = median(times["create-scaffold"]);
const theirs = median(times["create-vite"]);
console.log(`runs: ${runs} each, interleaved, Node ${process.version}`);
console.log(`create-scaffold  median ${ours.toFixed(1)} ms  (min ${Math.min(...times["create-scaffold"]).toFixed(1)})`);
console.log(`create-vite      median ${theirs.toFixed(1)} ms  (min ${Math.min(...times["create-vite"]).toFixed(1)})`);
console.log(`ratio create-scaffold / create-vite: ${(ours / theirs).toFixed(2)}x`);
console.log(`packed tarball ${tarball}: ${(statSync(tarballPath).size / 1024).toFixed(1)} KiB`);
rmSync(work, { recursive: true, force: true });
