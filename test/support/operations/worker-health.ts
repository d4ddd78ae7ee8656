import { spawn } from "node:child_process";
import path from "node:path";
import { repoRoot, templatesDir } from "../paths.js";

export interface HealthRun {
  code: number | null;
  /** stdout and stderr together: the one-line reason is on one of them. */
  output: string;
}

/**
 * Runs the generated app's real health command (`src/worker-health.ts`, what
 * `pnpm worker:health` runs) as its own process, with exactly the datastore
 * variables given: REDIS_URL / DATABASE_URL from this machine never leak in.
 * tsx resolves `@repo/core/tasks` through the templates' tsconfig paths, as the
 * workspace links do in a generated project.
 */
export function runWorkerHealth(
  env: Record<string, string>,
  { tsconfig = path.join(templatesDir, "tsconfig.json") } = {},
): Promise<HealthRun> {
  const { REDIS_URL, DATABASE_URL, TASKS_QUEUE, EMBEDDED_POSTGRES_DIR, WORKER_HEALTH_TIMEOUT_MS, ...inherited } = process.env;
  const child = spawn(process.execPath, ["--import", "tsx", path.join(templatesDir, "queue/packages/app/src/worker-health.ts")], {
    cwd: repoRoot,
    env: { ...inherited, TSX_TSCONFIG_PATH: tsconfig, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  // Hang guard only: the command bounds its own time.
  const guard = setTimeout(() => child.kill("SIGKILL"), 60_000);
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(guard);
      resolve({ code, output: output.trim() });
    });
  });
}
