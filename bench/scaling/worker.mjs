// One worker process of bench/scaling.mjs: a contender (bench/runtime/contenders.mjs)
// consuming the shared queue. stdin: "go" starts consuming, "close" stops; stdout: one
// line "ready", then "closed".
//
//   node bench/scaling/worker.mjs '<{ contender, datastore, queueName, concurrency } JSON>'
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
register({ tsconfig: path.join(repoRoot, "tsconfig.json") });
const { openContender } = await import("../runtime/contenders.mjs");

const { contender, datastore, queueName, concurrency } = JSON.parse(process.argv[2]);
const worker = openContender(contender, { datastore, queueName, concurrency });
console.log("ready");
for await (const command of createInterface({ input: process.stdin })) {
  if (command === "go") await worker.startWorker(() => {});
  if (command === "close") {
    await worker.close();
    console.log("closed");
    process.exit(0);
  }
}
