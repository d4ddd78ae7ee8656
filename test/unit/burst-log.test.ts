import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createBurstLog } from "../../templates/base/packages/core/src/log/burst-log.js";

describe("a burst log", () => {
  beforeEach(() => void vi.useFakeTimers());
  afterEach(() => void vi.useRealTimers());

  it("writes the first line at once, then one summary per interval while lines keep coming, then the next line at once", () => {
    const lines: string[] = [];
    const log = createBurstLog((line) => void lines.push(line), { intervalMs: 5_000 });
    log("POST /signup: connect ECONNREFUSED");
    for (let n = 1; n <= 40; n++) log(`POST /signup: failure ${n}`);
    expect(lines).toEqual(["POST /signup: connect ECONNREFUSED"]);

    vi.advanceTimersByTime(5_000);
    expect(lines.at(-1)).toBe("…and 40 more like it in the last 5 s (the latest: POST /signup: failure 40)");
    log("POST /signup: failure 41");
    vi.advanceTimersByTime(5_000);
    expect(lines.at(-1)).toBe("…and 1 more like it in the last 5 s (the latest: POST /signup: failure 41)");

    // A quiet interval ends the burst: nothing to summarise, and the next line is written at once.
    vi.advanceTimersByTime(5_000);
    expect(lines).toHaveLength(3);
    log("GET /health/ready: connect ECONNREFUSED");
    expect(lines.at(-1)).toBe("GET /health/ready: connect ECONNREFUSED");
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(4);
  });
});
