/**
 * Where a run's time goes, for bench/generate.mjs: with CREATE_SCAFFOLD_TIMINGS=1
 * the CLI prints to stderr, on exit, one line per phase with its milliseconds. The
 * first phase runs from the process's start (Node's own start-up and loading the CLI).
 */
const enabled = process.env.CREATE_SCAFFOLD_TIMINGS === "1";
const phases: [string, number][] = [];
let last = 0;

/** Ends the phase called `name` now. */
export function mark(name: string): void {
  if (!enabled) return;
  const now = performance.now();
  phases.push([name, now - last]);
  last = now;
}

if (enabled) {
  process.once("exit", () => {
    mark("exit");
    process.stderr.write(`timings ${JSON.stringify(Object.fromEntries(phases))}\n`);
  });
}
