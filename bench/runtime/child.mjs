// Runs session.mjs in a child process and talks to it: one command per line on
// its stdin, one result line (RESULT_PREFIX + JSON) per command on its stdout.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** Marks the lines of session.mjs's output that carry results. */
/** The phases of a round, in order (measure.mjs measures each). Plain data: the parent process reads it without loading the runtime. */
export const PHASES = ["enqueue", "drain", "endToEnd", "latency"];

export const RESULT_PREFIX = "bench-result ";

const sessionScript = fileURLToPath(new URL("./session.mjs", import.meta.url));

/** Starts a contender's process; resolves once it is ready, to { run(phase), close() }. */
export async function openChildSession(request) {
  const child = startChild(request);
  await child.next();
  return {
    run(phase) {
      child.send(phase);
      return child.next();
    },
    async close() {
      child.send("close");
      await child.next();
      await child.exited;
    },
  };
}

/** Runs a one-shot request (an enqueue-only measurement) in a child process and returns its result. */
export async function measureInChild(request) {
  const child = startChild(request);
  const result = await child.next();
  await child.exited;
  return result;
}

function startChild(request) {
  const child = spawn(process.execPath, [sessionScript, JSON.stringify(request)], { stdio: ["pipe", "pipe", "pipe"] });
  let output = ""; // everything, for error messages
  let pending = ""; // stdout not yet split into lines
  const results = [];
  const waiting = [];
  let failure;
  const fail = (error) => {
    failure ??= error;
    for (const waiter of waiting.splice(0)) waiter.reject(failure);
  };
  child.stdout.on("data", (chunk) => {
    output += chunk;
    pending += chunk;
    const lines = pending.split("\n");
    pending = lines.pop();
    for (const line of lines.filter((text) => text.startsWith(RESULT_PREFIX))) {
      const result = JSON.parse(line.slice(RESULT_PREFIX.length));
      const waiter = waiting.shift();
      if (waiter) waiter.resolve(result);
      else results.push(result);
    }
  });
  child.stderr.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      if (code !== 0) fail(new Error(`${request.contender} on ${request.queueName} failed (exit ${code ?? signal}):\n${output}`));
      else fail(new Error(`${request.contender} on ${request.queueName} exited early:\n${output}`));
      resolve();
    });
  });
  child.once("error", fail);
  return {
    exited,
    send: (command) => child.stdin.write(`${command}\n`),
    next: () =>
      results.length > 0
        ? Promise.resolve(results.shift())
        : failure
          ? Promise.reject(failure)
          : new Promise((resolve, reject) => waiting.push({ resolve, reject })),
  };
}
