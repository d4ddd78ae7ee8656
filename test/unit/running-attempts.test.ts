import { describe, expect, it } from "vitest";
import type { TaskJob } from "../../templates/queue/packages/core/src/tasks/datastore/index.js";
import { RunningAttempt } from "../../templates/queue/packages/core/src/tasks/running-attempt.js";
import { RunningAttempts } from "../../templates/queue/packages/core/src/tasks/running-attempts.js";

// The list never reads an attempt's job, so an empty one serves.
const attempt = (id: string) => new RunningAttempt({} as TaskJob, undefined, id, "task", 1);
const ids = (running: RunningAttempts) => [...running].map((each) => each.id);

describe("RunningAttempts", () => {
  it("lists attempts in the order they started, and counts them", () => {
    const running = new RunningAttempts();
    expect(running.size).toBe(0);
    expect(ids(running)).toEqual([]);
    for (const id of ["a", "b", "c"]) running.add(attempt(id));
    expect(running.size).toBe(3);
    expect(ids(running)).toEqual(["a", "b", "c"]);
  });

  it.each([
    ["first", 0, ["b", "c"]],
    ["middle", 1, ["a", "c"]],
    ["last", 2, ["a", "b"]],
  ])("removes the %s one and keeps the others in order", (_where, index, left) => {
    const running = new RunningAttempts();
    const entries = ["a", "b", "c"].map((id) => running.add(attempt(id)));
    running.remove(entries[index]!);
    expect(ids(running)).toEqual(left);
    expect(running.size).toBe(2);
    running.add(attempt("d"));
    expect(ids(running)).toEqual([...left, "d"]);
  });

  it("empties and fills again", () => {
    const running = new RunningAttempts();
    const entries = ["a", "b"].map((id) => running.add(attempt(id)));
    for (const entry of entries) running.remove(entry);
    expect(running.size).toBe(0);
    expect(ids(running)).toEqual([]);
    running.add(attempt("c"));
    expect(ids(running)).toEqual(["c"]);
  });

  it("lets a walk go on when the attempt it stands on ends (the abort watch's tick, shutdown)", () => {
    const running = new RunningAttempts();
    const entries = ["a", "b", "c"].map((id) => running.add(attempt(id)));
    const seen: string[] = [];
    for (const each of running) {
      seen.push(each.id);
      if (each.id === "a") running.remove(entries[0]!);
    }
    expect(seen).toEqual(["a", "b", "c"]);
    expect(ids(running)).toEqual(["b", "c"]);
  });
});
