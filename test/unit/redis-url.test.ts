import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "../../templates/base/packages/core/src/config/redis-url.js";
import { queuePrefix } from "../../templates/queue/packages/core/src/tasks/datastore/redis-client.js";

describe("REDIS_URL's forms", () => {
  it("a single server stays the URL ioredis reads", () => {
    expect(parseRedisUrl("rediss://:pw@cache.example.com:6380/2")).toEqual({
      kind: "server",
      url: "rediss://:pw@cache.example.com:6380/2",
    });
  });

  it("Sentinel: the sentinels (26379 by default), the primary's name, its database and credentials", () => {
    expect(parseRedisUrl("rediss+sentinel://app:p%40ss@s1:26380,s2,[::1]:26381/mymaster/3")).toEqual({
      kind: "sentinel",
      sentinels: [
        { host: "s1", port: 26380 },
        { host: "s2", port: 26379 },
        { host: "::1", port: 26381 },
      ],
      primaryName: "mymaster",
      db: 3,
      username: "app",
      password: "p@ss",
      tls: true,
    });
  });

  it("Cluster: the seed nodes (6379 by default) and credentials; a password alone", () => {
    expect(parseRedisUrl("redis+cluster://:secret@n1:7000,n2")).toEqual({
      kind: "cluster",
      nodes: [
        { host: "n1", port: 7000 },
        { host: "n2", port: 6379 },
      ],
      username: undefined,
      password: "secret",
      tls: false,
    });
  });

  it("refuses what it cannot read, without echoing it", () => {
    for (const [url, problem] of [
      ["redis+cluster://", /must list its cluster nodes/],
      ["redis+cluster://n1:99999", /must list its cluster nodes/],
      ["redis+sentinel://s1", /must end with the name the Sentinels know the primary by/],
      ["redis+sentinel://s1/mymaster/zero", /may end with a database number/],
      ["redis+shard://:s3cret@n1", /is not a Redis URL/],
      ["redis+cluster://:s3cret%zz@n1", /not URL-encoded/],
      ["http://:s3cret@n1", /must start with redis:\/\//],
    ] as const) {
      expect(() => parseRedisUrl(url)).toThrow(problem);
      expect(() => parseRedisUrl(url)).not.toThrow(/s3cret/);
    }
  });

  it("on a Cluster, a queue's BullMQ keys share one hash tag; elsewhere BullMQ's default prefix", () => {
    expect(queuePrefix(parseRedisUrl("redis+cluster://n1:7000"), "emails")).toBe("{emails}");
    expect(queuePrefix(parseRedisUrl("redis://localhost:6379"), "emails")).toBe("bull");
    expect(queuePrefix(parseRedisUrl("redis+sentinel://s1/mymaster"), "emails")).toBe("bull");
  });
});
