// One worker process of bench/scaling.mjs: a contender (bench/runtime/contenders.mjs)
// consuming the shared queue. stdin: "go" starts consuming, "close" stops; stdout: one
// line "ready", then "closed".
//
//   node bench/scaling/worker.mjs '<{ contender, datastore, queueName, concurrency } JSON>'
import { createInterface } from "node:readline";
// The runtime, compiled by bench/scaling.mjs before any worker starts (core-build.mjs).
import { openContender } from "../runtime/contenders.mjs";

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
