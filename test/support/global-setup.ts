import { execa } from "execa";
import { cliPath, repoRoot } from "./paths.js";

/** Tests run the real bundled CLI, so build it from the current sources first. */
export default async function setup(): Promise<void> {
  await execa("node", ["node_modules/tsup/dist/cli-default.js"], { cwd: `${repoRoot}/packages/create-scaffold`, stdin: "ignore" });
  console.log(`built ${cliPath}`);
}
