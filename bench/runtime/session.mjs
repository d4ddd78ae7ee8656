// One contender in a process of its own, driven phase by phase over stdin by
// bench/runtime.mjs (see child.mjs): a fresh process per contender and round keeps
// either from inheriting the other's process-wide state — heap, JIT, and the
// async hooks the runtime turns on (AsyncLocalStorage for worker.current()).
//
//   node bench/runtime/session.mjs '<request JSON>'
//   stdin: one phase name per line (child.mjs PHASES), then "close"
//   stdout: one RESULT_PREFIX line per command, carrying its result as JSON
// A request with `enqueueOnly` measures one contender's enqueue rate once (measureEnqueueOnly) and exits.
import path from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";
import { RESULT_PREFIX } from "./child.mjs";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
// The runtime comes compiled (core-build.mjs); the tests' helpers measure.mjs shares are
// TypeScript importing `@repo/core`: tsx resolves that through the repo tsconfig's `paths`.
register({ tsconfig: path.join(repoRoot, "tsconfig.json") });
const { measureEnqueueOnly, openSession } = await import("./measure.mjs");

const reply = (result) => console.log(`${RESULT_PREFIX}${JSON.stringify(result ?? null)}`);
const request = JSON.parse(process.argv[2]);
if (request.enqueueOnly) {
  reply(await measureEnqueueOnly(request));
} else {
  const session = openSession(request.contender, request);
  reply("ready");
  for await (const command of createInterface({ input: process.stdin })) {
    if (command === "close") {
      reply(await session.close());
      break;
    }
    reply(await session.run(command));
  }
}
// Raw waits whose completion event was missed leave BullMQ's wait timers pending; don't wait them out.
process.exit(0);
