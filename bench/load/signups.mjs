// Signups fired at a generated project's server with autocannon, each with an address
// of its own, and what became of each: shared by the load benchmark (bench/load.mjs)
// and the load and chaos tests (test/load.test.ts).
import { readdir } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import autocannon from "autocannon";

/**
 * `count` POST /signup requests, `connections` at a time (at most `rate` a second when
 * given), addresses `<prefix>-<n>@example.com` in lower case (as signup stores them).
 * Resolves with autocannon's figures and the status each address got (0: no answer).
 * @param {{ baseUrl: string, count: number, connections?: number, rate?: number, prefix: string }} options
 */
export async function signupLoad({ baseUrl, count, connections = 50, rate, prefix }) {
  let next = 0;
  // autocannon ends a run with a fixed amount on its one-second tick, so its duration
  // (and its per-second average) is rounded up to whole seconds: time the answers here.
  let firstSent = 0;
  let lastAnswered = 0;
  /** @type {Map<string, number>} */
  const statuses = new Map();
  const result = await autocannon({
    url: `${baseUrl}/signup`,
    method: "POST",
    connections,
    amount: count,
    ...(rate ? { overallRate: rate } : {}),
    timeout: 30,
    headers: { "content-type": "application/json" },
    requests: [
      {
        setupRequest: (request, context) => {
          firstSent ||= performance.now();
          const email = `${prefix}-${next++}@example.com`.toLowerCase();
          context.email = email;
          statuses.set(email, 0);
          return { ...request, body: JSON.stringify({ email }) };
        },
        onResponse: (status, _body, context) => {
          statuses.set(context.email, status);
          lastAnswered = performance.now();
        },
      },
    ],
  });
  return {
    statuses,
    requestsPerSecond: [...statuses.values()].filter((status) => status !== 0).length / ((lastAnswered - firstSent) / 1000),
    latency: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    errors: result.errors + result.timeouts,
  };
}

/** How many .eml files were written for each address, under `mailDir`. */
export async function mailsByAddress(mailDir) {
  /** @type {Map<string, number>} */
  const counts = new Map();
  for (const name of await readdir(mailDir).catch(() => [])) {
    const address = /-([^-]+-\d+@example\.com)-[0-9a-f]+\.eml$/.exec(name)?.[1];
    if (address) counts.set(address, (counts.get(address) ?? 0) + 1);
  }
  return counts;
}

/**
 * Waits until every address in `addresses` has a welcome email (polling, at most
 * `timeoutMs`); resolves with the mail counts and how long it took.
 * @param {string} mailDir
 * @param {string[]} addresses
 */
export async function allWelcomed(mailDir, addresses, timeoutMs = 180_000) {
  const started = Date.now();
  for (;;) {
    const counts = await mailsByAddress(mailDir);
    if (addresses.every((address) => (counts.get(address) ?? 0) > 0)) return { counts, seconds: (Date.now() - started) / 1000 };
    if (Date.now() - started > timeoutMs) return { counts, seconds: Number.NaN };
    await sleep(250);
  }
}
