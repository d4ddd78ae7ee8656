import { describe, expect, it } from "vitest";
import { {{camelCase name}} } from "./{{kebabCase name}}.js";

describe("{{camelCase name}}", () => {
  it("runs when called directly and returns its result", async () => {
    await expect({{camelCase name}}("example")).resolves.toEqual({
      status: "done",
      input: "example",
    });
  });
});
