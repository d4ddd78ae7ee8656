// What a phase costs the contender's own process, per task: round trips to the
// datastore and CPU time. Round trips are counted where they leave the process:
// every command ioredis sends (Redis) and every query pg sends (PostgreSQL), from
// the contender, its worker and its listeners alike. ioredis passes each command of a
// pipeline through sendCommand too, so a pipeline of n counts n (an upper bound; the
// single-enqueue and drain paths measured here send none). Imported before any
// connection opens, by measure.mjs, in each contender's process of its own.
import { Redis } from "ioredis";
import pg from "pg";

let sent = 0;
for (const [prototype, method] of [
  [Redis.prototype, "sendCommand"],
  [pg.Client.prototype, "query"],
]) {
  const original = prototype[method];
  prototype[method] = function (...args) {
    sent++;
    return original.apply(this, args);
  };
}

/** Starts measuring; the function returned gives { roundTrips, cpuMicros } per task since then. */
export function startUsage() {
  const cpu = process.cpuUsage();
  const before = sent;
  return (tasks) => {
    const used = process.cpuUsage(cpu);
    return { roundTrips: (sent - before) / tasks, cpuMicros: (used.user + used.system) / tasks };
  };
}
