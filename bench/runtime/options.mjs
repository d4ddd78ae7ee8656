// Command-line options of bench/runtime.mjs (flags win over env).
import { parseArgs } from "node:util";

export const usage = `Usage: node bench/runtime.mjs [options]
  --tasks N         no-op tasks per drain and end-to-end phase (env BENCH_TASKS, default 20000)
  --rounds N        measured rounds, core and raw alternating (env BENCH_ROUNDS, default 5)
  --sample N        tasks in the latency sample (default 500)
  --rate N          latency sample: tasks enqueued per second (default 100)
  --inflight N      enqueues in flight at once (default 50)
  --concurrency N   worker concurrency (default 50)
  --datastore D     redis | postgres | all (default all)
  -h, --help`;

export function readOptions(argv = process.argv.slice(2), env = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: {
      tasks: { type: "string" },
      rounds: { type: "string" },
      sample: { type: "string" },
      rate: { type: "string" },
      inflight: { type: "string" },
      concurrency: { type: "string" },
      datastore: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const count = (name, value, fallback) => {
    const number = Number(value ?? fallback);
    if (!Number.isInteger(number) || number < 1) throw new Error(`--${name} must be a positive integer, got ${value}\n${usage}`);
    return number;
  };
  const datastore = values.datastore ?? "all";
  if (!["redis", "postgres", "all"].includes(datastore)) throw new Error(`--datastore must be redis, postgres or all\n${usage}`);
  return {
    tasks: count("tasks", values.tasks ?? env.BENCH_TASKS, 20_000),
    rounds: count("rounds", values.rounds ?? env.BENCH_ROUNDS, 5),
    sample: count("sample", values.sample, 500),
    rate: count("rate", values.rate, 100),
    inflight: count("inflight", values.inflight, 50),
    concurrency: count("concurrency", values.concurrency, 50),
    datastore,
  };
}
