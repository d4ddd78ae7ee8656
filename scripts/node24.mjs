// Node 24 (the current LTS, which users start new projects on) beside the Node that
// runs the suite: from the npm registry's node-<platform>-<arch> package, into this
// repo's cache, without touching the system's Node.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = fileURLToPath(new URL("..", import.meta.url));
const MAJOR = 24;

/** The folder holding a Node 24 `node`, installed on first use; or why there is none. */
export function node24Bin() {
  const platform = { linux: "linux", darwin: "darwin", win32: "win" }[process.platform];
  const arch = { x64: "x64", arm64: "arm64" }[process.arch];
  if (!platform || !arch) return { problem: `no Node ${MAJOR} package for ${process.platform}-${arch ?? process.arch}` };
  const name = `node-${platform}-${arch}`;
  const prefix = path.join(repoRoot, "node_modules", ".cache", `node${MAJOR}`);
  const bin = path.join(prefix, "node_modules", name, "bin");
  if (!existsSync(path.join(bin, process.platform === "win32" ? "node.exe" : "node"))) {
    const install = spawnSync(
      "npm",
      ["install", "--no-save", "--no-package-lock", "--no-audit", "--no-fund", "--prefix", prefix, `${name}@${MAJOR}`],
      {
        encoding: "utf8",
        shell: process.platform === "win32",
      },
    );
    if (install.status !== 0) {
      const why = (install.error?.message || install.stderr || install.stdout || `exit ${install.status}`).trim().split("\n").at(-1);
      return { problem: `npm could not install ${name}@${MAJOR}: ${why}` };
    }
  }
  return { bin };
}
