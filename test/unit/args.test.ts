import { describe, expect, it } from "vitest";
import { type CliArgs, parseCommand, UsageError } from "../../packages/create-scaffold/src/args.js";
import { missingAnswers } from "../../packages/create-scaffold/src/options.js";

const none: CliArgs = { yes: false, dryRun: false, json: false, force: false, help: false, version: false };

describe("parseCommand", () => {
  it.each<[string, string[], ReturnType<typeof parseCommand>]>([
    ["nothing", [], { name: "create", args: none }],
    ["a directory", ["my-app"], { name: "create", args: { ...none, directory: "my-app" } }],
    [
      "answers as flag pairs",
      ["app", "--no-queue", "--install", "--no-git"],
      { name: "create", args: { ...none, directory: "app", queue: false, install: true, git: false } },
    ],
    ["short flags", ["-y", "-h", "-v"], { name: "create", args: { ...none, yes: true, help: true, version: true } }],
    [
      "a dry run as JSON",
      ["app", "--dry-run", "--json"],
      { name: "create", args: { ...none, directory: "app", dryRun: true, json: true } },
    ],
    ["a forced write", ["app", "--force"], { name: "create", args: { ...none, directory: "app", force: true } }],
    ["check", ["check"], { name: "check", args: { json: false } }],
    ["check a folder, as JSON", ["check", "../x", "--json"], { name: "check", args: { directory: "../x", json: true } }],
    ["update", ["update"], { name: "update", args: { dryRun: false, force: false } }],
    [
      "update a folder, dry run, forced",
      ["update", "x", "--dry-run", "--force"],
      { name: "update", args: { directory: "x", dryRun: true, force: true } },
    ],
    ["add queue", ["add", "queue"], { name: "add queue", args: { dryRun: false, force: false } }],
    [
      "add queue to a folder",
      ["add", "queue", "x", "--dry-run"],
      { name: "add queue", args: { directory: "x", dryRun: true, force: false } },
    ],
    ["a folder named like a command, as a path", ["./check"], { name: "create", args: { ...none, directory: "./check" } }],
  ])("%s", (_label, argv, expected) => {
    expect(parseCommand(argv)).toEqual(expected);
  });

  it.each<[string, string[], RegExp]>([
    ["an unknown option", ["app", "--bogus"], /^Unknown option '--bogus'\.\nRun create-scaffold --help/],
    ["two directories", ["a", "b"], /^Expected one directory, got 2: a b\.$/],
    ["contradicting flags", ["app", "--queue", "--no-queue"], /^--queue and --no-queue contradict each other; pass one\.$/],
    ["a value for a boolean flag", ["app", "--git=yes"], /^Option '--git' does not take an argument\./],
    [
      "check with an option of create",
      ["check", "--force"],
      /^Unknown option '--force'\.\nUsage: create-scaffold check \[directory\] \[--json\]$/,
    ],
    ["check with two folders", ["check", "a", "b"], /^check takes one directory, got 2\./],
    [
      "update with --json",
      ["update", "--json"],
      /^Unknown option '--json'\.\nUsage: create-scaffold update \[directory\] \[--dry-run\] \[--force\]$/,
    ],
    ["add without a feature", ["add"], /^add takes a feature: create-scaffold add queue \[directory\]\.$/],
    ["add of an unknown feature", ["add", "cache"], /\(got "cache"\)\.$/],
  ])("refuses %s with a usage error", (_label, argv, message) => {
    expect(() => parseCommand(argv)).toThrow(UsageError);
    expect(() => parseCommand(argv)).toThrow(message);
  });
});

describe("missingAnswers", () => {
  it.each<[string, Partial<CliArgs>, string[]]>([
    ["nothing given", {}, ["directory", "queue", "install", "git"]],
    ["every answer given", { directory: "x", queue: true, install: false, git: false }, []],
    ["a dry run, which neither installs nor commits", { dryRun: true }, ["directory", "queue"]],
    ["only the directory", { directory: "x" }, ["queue", "install", "git"]],
  ])("%s", (_label, given, missing) => {
    expect(missingAnswers({ ...none, ...given })).toEqual(missing);
  });
});
