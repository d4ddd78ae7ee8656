import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, loadWorkerConfig } from "./config.js";
import { jobQueueEnabled } from "./queue.js";

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("needs nothing in development", () => {
    expect(loadConfig({})).toEqual({ port: 3000, production: false, adminToken: undefined, signupRateLimit: 10 });
    expect(loadConfig({ SIGNUP_RATE_LIMIT: "50" }).signupRateLimit).toBe(50);
    expect(problemsOf({ SIGNUP_RATE_LIMIT: "lots" })).toEqual(['SIGNUP_RATE_LIMIT must be a whole number of at least 1, got "lots".']);
    expect(loadConfig({ PORT: "8080", ADMIN_TOKEN: "0123456789abcdef" })).toMatchObject({ port: 8080, adminToken: "0123456789abcdef" });
  });

  it("names a malformed PORT", () => {
    for (const port of ["abc", "3000x", "-1", "70000", "80.5"]) {
      expect(problemsOf({ PORT: port })).toEqual([`PORT must be a port number (0-65535), got "${port}".`]);
    }
  });

  it("names a LOG_LEVEL or LOG_FORMAT pino does not know", () => {
    expect(loadConfig({ LOG_LEVEL: "Debug", LOG_FORMAT: "JSON" }).port).toBe(3000);
    expect(problemsOf({ LOG_LEVEL: "verbose", LOG_FORMAT: "text" })).toEqual([
      'LOG_LEVEL must be one of trace, debug, info, warn, error, fatal, silent, got "verbose".',
      'LOG_FORMAT must be json or pretty, got "text".',
    ]);
  });

  it("takes REDIS_URL for one server, for Sentinel and for a Cluster, and names what is wrong with one", () => {
    for (const url of [
      "rediss://:pw@redis.example.com:6380/2",
      "redis+sentinel://:pw@s1:26379,s2:26379,[::1]/mymaster/1",
      "rediss+cluster://user:pw@n1:7000,n2:7001",
    ]) {
      expect(loadConfig({ REDIS_URL: url }).port).toBe(3000);
    }
    expect(problemsOf({ REDIS_URL: "redis+sentinel://s1:26379" })).toEqual([
      "REDIS_URL must end with the name the Sentinels know the primary by, e.g. redis+sentinel://host:26379/mymaster.",
    ]);
    expect(problemsOf({ REDIS_URL: "redis+cluster://:s3cret@n1:7000,,n2" })).toEqual([
      "REDIS_URL must list its cluster nodes as host:port, separated by commas.",
    ]);
    expect(problemsOf({ REDIS_URL: "redis+cluster://n1:7000/1" })).toEqual([
      "REDIS_URL of a Redis Cluster takes no path: a cluster has one database.",
    ]);
  });

  it("names malformed URLs without echoing them (they may hold passwords)", () => {
    const [database] = problemsOf({ DATABASE_URL: "host=db password=s3cret" });
    expect(database).toMatch(/^DATABASE_URL is not a URL/);
    expect(database).not.toContain("s3cret");
    expect(problemsOf({ DATABASE_URL: "mysql://u:s3cret@db/app" })).toEqual([
      "DATABASE_URL must start with postgres:// or postgresql://, got mysql://…",
    ]);
    expect(problemsOf({ REDIS_URL: "localhost:6379" })[0]).toMatch(/^REDIS_URL must start with redis:\/\/ or rediss:\/\//);
    expect(problemsOf({ SMTP_URL: "mail.example.com" })[0]).toMatch(/^SMTP_URL is not a URL/);
  });

  it("production needs DATABASE_URL and SMTP_URL, and lists every problem in one message", () => {
    const problems = problemsOf({ NODE_ENV: "production", PORT: "web" });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^PORT /);
    expect(problems[1]).toMatch(/^DATABASE_URL is not set/);
    expect(problems[2]).toMatch(/^SMTP_URL is not set/);
    expect(new ConfigError(problems).message).toBe(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join("\n")}`);

    const production = loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://db/app", SMTP_URL: "smtp://mail:587" });
    expect(production).toEqual({ port: 3000, production: true, adminToken: undefined, signupRateLimit: 10 });
  });

  it("lists the job queue's settings with the rest, every problem at once", () => {
    const problems = problemsOf({ REDIS_URL: "http://x", TASKS_CONCURRENCY: "abc" });
    expect(problems[0]).toMatch(/^REDIS_URL must start with redis:\/\//);
    // A project without the job queue has no TASKS_* settings to check.
    expect(problems.slice(1)).toEqual(jobQueueEnabled ? ['TASKS_CONCURRENCY must be a number of tasks, got "abc"'] : []);
  });

  it("refuses a short ADMIN_TOKEN", () => {
    expect(problemsOf({ ADMIN_TOKEN: "secret" })).toEqual(["ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 32`)."]);
  });
});

describe("loadWorkerConfig", () => {
  it("checks the datastores and mail as the server does, and nothing of the server's own", () => {
    expect(loadWorkerConfig({ PORT: "web" })).toEqual({ production: false, adminToken: undefined, metricsPort: undefined });
    expect(loadWorkerConfig({ ADMIN_TOKEN: "0123456789abcdef", WORKER_METRICS_PORT: "9464" })).toEqual({
      production: false,
      adminToken: "0123456789abcdef",
      metricsPort: 9464,
    });
    let error: unknown;
    try {
      loadWorkerConfig({ NODE_ENV: "production", REDIS_URL: "localhost:6379" });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^DATABASE_URL is not set/);
    expect(problems[1]).toMatch(/^REDIS_URL must start with/);
    expect(problems[2]).toMatch(/^SMTP_URL is not set/);
  });

  it("checks its metrics port and the admin token that guards them", () => {
    expect(() => loadWorkerConfig({ WORKER_METRICS_PORT: "metrics", ADMIN_TOKEN: "short" })).toThrow(
      'ADMIN_TOKEN must be at least 16 characters (e.g. `openssl rand -hex 32`).\n  - WORKER_METRICS_PORT must be a port number (0-65535), got "metrics".',
    );
  });
});
