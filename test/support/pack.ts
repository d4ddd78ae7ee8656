import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { tempDir } from "./cli.js";
import { cliPackageDir } from "./paths.js";
import { pnpm } from "./pnpm.js";

/** The CLI packed as it would be published: the path of its tarball, in a folder of its own. */
export async function packCli(): Promise<string> {
  const dir = await tempDir("create-scaffold-pack-");
  // The global setup has built dist/; prepack would build it again (tsup empties dist/
  // first), and the other test files, running meanwhile, would find no CLI.
  await pnpm(["pack", "--pack-destination", dir], {
    cwd: cliPackageDir,
    env: { npm_config_ignore_scripts: "true" },
  });
  const name = (await readdir(dir)).find((file) => file.endsWith(".tgz"));
  if (!name) throw new Error("pnpm pack produced no tarball");
  // npm resolves `./<tarball>` against its local prefix, the nearest folder upward that
  // holds a package.json or node_modules: one left in a parent (a /tmp/node_modules,
  // say) would send it looking there. This folder is that prefix, as a download folder
  // with nothing of the kind above it is for a user.
  await mkdir(path.join(dir, "node_modules"));
  return path.join(dir, name);
}
