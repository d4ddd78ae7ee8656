import type { RedisClient } from "./redis-client.js";
import type { Admission, LimitRequest, LimitStore } from "./types.js";

/*
 * Concurrency and rate limits on Redis, each change one Lua script (atomic, like BullMQ's
 * own). Per concurrency limit: `slots` (run → lease end) and `waiting` (run → since);
 * per rate limit: `runs` (starts in the last period) and `plans` (run → its turn).
 * Keys expire when a limit is left unused (each write sets how long: past the last lease,
 * the last wait, the last turn), so per-customer keys do not pile up.
 * The same rules, in SQL, are in postgres-limits.ts.
 */

// Hands free slots to the longest-waiting runs; returns them.
const GRANT = `
local function grant(slots, waiting, now, lease, concurrency)
  local granted = {}
  local free = concurrency - redis.call("ZCARD", slots)
  while free > 0 do
    local next = redis.call("ZPOPMIN", waiting)
    if #next == 0 then break end
    redis.call("ZADD", slots, now + lease, next[1])
    granted[#granted + 1] = next[1]
    free = free - 1
  end
  return granted
end
`;

// KEYS: slots, waiting, runs, plans. ARGV: run, now, lease, concurrency (0: none),
// rate (0: none), period, start id. Returns {"run"}, {"slot"} or {"later", wakeAt, granted...}.
const ADMIT = `${GRANT}
local slots, waiting, runs, plans = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local member, now, lease = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local concurrency, rate, period = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local ttl = math.ceil(2 * lease)
local holds = false
if concurrency > 0 then
  redis.call("ZREMRANGEBYSCORE", slots, "-inf", now)
  holds = redis.call("ZSCORE", slots, member) ~= false
  if not holds and redis.call("ZCARD", slots) >= concurrency then
    redis.call("ZADD", waiting, "NX", now, member)
    redis.call("PEXPIRE", waiting, ttl)
    return {"slot"}
  end
end
if rate > 0 then
  redis.call("ZREMRANGEBYSCORE", runs, "-inf", now - period)
  redis.call("ZREMRANGEBYSCORE", plans, "-inf", now - period)
  local own = redis.call("ZSCORE", plans, member)
  local started = redis.call("ZCARD", runs)
  local wakeAt
  if own and tonumber(own) > now then
    wakeAt = tonumber(own)
  elseif started >= rate or (not own and redis.call("ZCARD", plans) > 0) then
    -- Its turn: after every run already planned, and once the rate-th latest start
    -- or plan is a period old.
    redis.call("ZREM", plans, member)
    local latest, last = {}, now
    local top = redis.call("ZREVRANGE", runs, 0, rate - 1, "WITHSCORES")
    for i = 2, #top, 2 do latest[#latest + 1] = tonumber(top[i]) end
    top = redis.call("ZREVRANGE", plans, 0, rate - 1, "WITHSCORES")
    for i = 2, #top, 2 do
      local at = tonumber(top[i])
      latest[#latest + 1] = at
      if at > last then last = at end
    end
    table.sort(latest, function(a, b) return a > b end)
    wakeAt = last
    if #latest >= rate and latest[rate] + period > wakeAt then wakeAt = latest[rate] + period end
    if wakeAt <= now and started < rate then
      wakeAt = nil
    else
      redis.call("ZADD", plans, wakeAt, member)
      redis.call("PEXPIRE", plans, math.ceil(wakeAt - now + 2 * period))
    end
  end
  if wakeAt then
    local granted = {}
    -- No slot while it waits for its turn: neither held nor waited for.
    if concurrency > 0 then redis.call("ZREM", waiting, member) end
    if holds then
      redis.call("ZREM", slots, member)
      granted = grant(slots, waiting, now, lease, concurrency)
    end
    return {"later", tostring(wakeAt), unpack(granted)}
  end
  redis.call("ZREM", plans, member)
  redis.call("ZADD", runs, now, member .. ":" .. ARGV[7])
  if redis.call("PTTL", runs) < 2 * period then redis.call("PEXPIRE", runs, math.ceil(2 * period)) end
end
if concurrency > 0 then
  redis.call("ZADD", slots, now + lease, member)
  redis.call("ZREM", waiting, member)
  redis.call("PEXPIRE", slots, ttl)
end
return {"run"}
`;

// KEYS: slots, waiting. ARGV: run, now, lease, concurrency. Returns the runs handed a slot.
const RELEASE = `${GRANT}
redis.call("ZREM", KEYS[1], ARGV[1])
redis.call("ZREMRANGEBYSCORE", KEYS[1], "-inf", tonumber(ARGV[2]))
local granted = grant(KEYS[1], KEYS[2], tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]))
if #granted > 0 then redis.call("PEXPIRE", KEYS[1], math.ceil(2 * tonumber(ARGV[3]))) end
return granted
`;

type Scripts = {
  taskLimitAdmit(...keysAndArgs: (string | number)[]): Promise<string[]>;
  taskLimitRelease(...keysAndArgs: (string | number)[]): Promise<string[]>;
};

/**
 * The limits of one queue's tasks, on a connection the caller owns; their keys start with
 * `queueKey` (the queue's own, "bull:tasks": on a Cluster in the queue's slot, "{tasks}:tasks").
 */
export function redisLimitStore(connection: RedisClient, queueKey: string): LimitStore {
  connection.defineCommand("taskLimitAdmit", { numberOfKeys: 4, lua: ADMIT });
  connection.defineCommand("taskLimitRelease", { numberOfKeys: 2, lua: RELEASE });
  const redis = connection as RedisClient & Scripts;
  const keyOf = (limit: string, part: "slots" | "waiting" | "runs" | "plans") => `${queueKey}:limit:${limit}:${part}`;
  let starts = 0;
  return {
    async admit({ member, concurrency, rate, leaseMs }: LimitRequest, now: number): Promise<Admission> {
      const [outcome, wakeAt, ...granted] = await redis.taskLimitAdmit(
        keyOf(concurrency?.key ?? "-", "slots"),
        keyOf(concurrency?.key ?? "-", "waiting"),
        keyOf(rate?.key ?? "-", "runs"),
        keyOf(rate?.key ?? "-", "plans"),
        member,
        now,
        leaseMs,
        concurrency?.limit ?? 0,
        rate?.limit ?? 0,
        rate?.period ?? 0,
        `${now}:${starts++}`,
      );
      if (outcome === "later") return { outcome, wakeAt: Number(wakeAt), granted };
      return { outcome: outcome === "slot" ? "slot" : "run" };
    },
    release: ({ member, concurrency, leaseMs }, now) =>
      redis.taskLimitRelease(keyOf(concurrency.key, "slots"), keyOf(concurrency.key, "waiting"), member, now, leaseMs, concurrency.limit),
    async renew(slots, leaseMs, now) {
      if (slots.length === 0) return;
      // XX: a slot already swept (its lease ran out; another run may hold it now) is not taken
      // back. The key lives as long as the leases it holds.
      const pipeline = redis.pipeline();
      for (const { key, member } of slots) {
        pipeline.zadd(keyOf(key, "slots"), "XX", now + leaseMs, member);
        pipeline.pexpire(keyOf(key, "slots"), Math.ceil(2 * leaseMs));
      }
      await pipeline.exec();
    },
    isWaiting: async (key, member) => (await redis.zscore(keyOf(key, "waiting"), member)) !== null,
  };
}
