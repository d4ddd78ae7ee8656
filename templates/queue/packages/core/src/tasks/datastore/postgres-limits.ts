import type pg from "pg";
import type { Admission, LimitStore } from "./types.js";

/*
 * Concurrency and rate limits on PostgreSQL: the rules of redis-limits.ts as functions,
 * each run under an advisory lock per limit (one round trip, atomic). One table beside
 * BullMQ's in its schema: per limit, `slot` rows (run → lease end) and `wait` rows
 * (run → since); per rate limit, `run` rows (starts in the last period) and `plan` rows
 * (run → its turn). A limit's stale rows are deleted when it is next used, and every
 * row carries when it is of no more use (`expires_ms`), so a sweep now and then removes
 * those of limits nobody uses any more (a customer gone).
 */

const VERSION = "v1";
// How often one process sweeps out rows no limit needs any more.
const SWEEP_EVERY_MS = 60_000; // in the functions' names: a newer runtime adds its own beside them

const SETUP = `
CREATE TABLE IF NOT EXISTS task_limit_entry (
  limit_key text NOT NULL,
  kind text NOT NULL,
  member text NOT NULL,
  at_ms double precision NOT NULL,
  expires_ms double precision NOT NULL,
  PRIMARY KEY (limit_key, kind, member)
);
-- A table made before expires_ms existed gains it.
ALTER TABLE task_limit_entry ADD COLUMN IF NOT EXISTS expires_ms double precision NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS task_limit_entry_at_idx ON task_limit_entry (limit_key, kind, at_ms);
CREATE INDEX IF NOT EXISTS task_limit_entry_expires_idx ON task_limit_entry (expires_ms);

CREATE OR REPLACE FUNCTION task_limit_grant_${VERSION}(p_key text, p_now double precision, p_lease double precision, p_limit integer)
RETURNS text[] LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  v_granted text[] := '{}';
  v_free integer;
  v_member text;
BEGIN
  SELECT p_limit - count(*) INTO v_free FROM task_limit_entry WHERE limit_key = p_key AND kind = 'slot';
  WHILE v_free > 0 LOOP
    SELECT member INTO v_member FROM task_limit_entry
     WHERE limit_key = p_key AND kind = 'wait' ORDER BY at_ms, member LIMIT 1;
    EXIT WHEN v_member IS NULL;
    DELETE FROM task_limit_entry WHERE limit_key = p_key AND kind = 'wait' AND member = v_member;
    INSERT INTO task_limit_entry VALUES (p_key, 'slot', v_member, p_now + p_lease, p_now + p_lease)
      ON CONFLICT (limit_key, kind, member) DO UPDATE SET at_ms = excluded.at_ms, expires_ms = excluded.expires_ms;
    v_granted := v_granted || v_member;
    v_free := v_free - 1;
  END LOOP;
  RETURN v_granted;
END;
$$;

CREATE OR REPLACE FUNCTION task_limit_admit_${VERSION}(
  p_member text, p_now double precision, p_lease double precision,
  p_ckey text, p_concurrency integer, p_rkey text, p_rate integer, p_period double precision, p_start text
) RETURNS text[] LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
DECLARE
  v_holds boolean := false;
  v_started integer;
  v_own double precision;
  v_last double precision;
  v_kth double precision;
  v_wake double precision;
  v_granted text[] := '{}';
BEGIN
  -- Concurrency keys are locked before rate keys, always: no two calls wait on each other.
  IF p_concurrency > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtext('task_limit:' || p_ckey));
    DELETE FROM task_limit_entry WHERE limit_key = p_ckey AND kind = 'slot' AND at_ms <= p_now;
    v_holds := EXISTS (SELECT 1 FROM task_limit_entry WHERE limit_key = p_ckey AND kind = 'slot' AND member = p_member);
    IF NOT v_holds AND (SELECT count(*) FROM task_limit_entry WHERE limit_key = p_ckey AND kind = 'slot') >= p_concurrency THEN
      -- Its place in line is kept (at_ms); it is needed for as long as it keeps asking.
      INSERT INTO task_limit_entry VALUES (p_ckey, 'wait', p_member, p_now, p_now + 2 * p_lease)
        ON CONFLICT (limit_key, kind, member) DO UPDATE SET expires_ms = excluded.expires_ms;
      RETURN ARRAY['slot'];
    END IF;
  END IF;
  IF p_rate > 0 THEN
    PERFORM pg_advisory_xact_lock(hashtext('task_limit:' || p_rkey));
    DELETE FROM task_limit_entry WHERE limit_key = p_rkey AND kind IN ('run', 'plan') AND at_ms <= p_now - p_period;
    SELECT count(*) INTO v_started FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'run';
    SELECT at_ms INTO v_own FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'plan' AND member = p_member;
    IF v_own IS NOT NULL AND v_own > p_now THEN
      v_wake := v_own;
    ELSIF v_started >= p_rate OR (v_own IS NULL AND EXISTS (SELECT 1 FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'plan')) THEN
      -- Its turn: after every run already planned, and once the rate-th latest start
      -- or plan is a period old.
      DELETE FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'plan' AND member = p_member;
      SELECT max(at_ms) INTO v_last FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'plan';
      SELECT at_ms INTO v_kth FROM task_limit_entry WHERE limit_key = p_rkey AND kind IN ('run', 'plan')
       ORDER BY at_ms DESC OFFSET p_rate - 1 LIMIT 1;
      v_wake := GREATEST(p_now, v_last, v_kth + p_period);
      IF v_wake <= p_now AND v_started < p_rate THEN
        v_wake := NULL;
      ELSE
        INSERT INTO task_limit_entry VALUES (p_rkey, 'plan', p_member, v_wake, v_wake + p_period);
      END IF;
    END IF;
    IF v_wake IS NOT NULL THEN
      -- No slot while it waits for its turn: neither held nor waited for.
      IF p_concurrency > 0 THEN
        DELETE FROM task_limit_entry WHERE limit_key = p_ckey AND kind IN ('slot', 'wait') AND member = p_member;
        IF v_holds THEN v_granted := task_limit_grant_${VERSION}(p_ckey, p_now, p_lease, p_concurrency); END IF;
      END IF;
      RETURN ARRAY['later', v_wake::text] || v_granted;
    END IF;
    DELETE FROM task_limit_entry WHERE limit_key = p_rkey AND kind = 'plan' AND member = p_member;
    INSERT INTO task_limit_entry VALUES (p_rkey, 'run', p_member || ':' || p_start, p_now, p_now + p_period);
  END IF;
  IF p_concurrency > 0 THEN
    INSERT INTO task_limit_entry VALUES (p_ckey, 'slot', p_member, p_now + p_lease, p_now + p_lease)
      ON CONFLICT (limit_key, kind, member) DO UPDATE SET at_ms = excluded.at_ms, expires_ms = excluded.expires_ms;
    DELETE FROM task_limit_entry WHERE limit_key = p_ckey AND kind = 'wait' AND member = p_member;
  END IF;
  RETURN ARRAY['run'];
END;
$$;

CREATE OR REPLACE FUNCTION task_limit_release_${VERSION}(p_member text, p_now double precision, p_lease double precision, p_key text, p_limit integer)
RETURNS text[] LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('task_limit:' || p_key));
  DELETE FROM task_limit_entry WHERE limit_key = p_key AND kind = 'slot' AND (member = p_member OR at_ms <= p_now);
  RETURN task_limit_grant_${VERSION}(p_key, p_now, p_lease, p_limit);
END;
$$;
`;

/**
 * Creates (or brings up to date) the table and functions in `schema`, under a lock:
 * workers starting at once would otherwise race on CREATE OR REPLACE FUNCTION.
 */
export async function setUpLimitStore(pool: pg.Pool, schema: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext('task_limit:setup'))");
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${quote(schema)}`);
    await client.query(`SET LOCAL search_path TO ${quote(schema)}`);
    await client.query(SETUP);
    await client.query("COMMIT");
  } catch (error) {
    await client.query("ROLLBACK").catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

/** The limits of `queueName`'s tasks, in `schema` (set up by setUpLimitStore), through a pool the caller owns. */
export function postgresLimitStore(pool: pg.Pool, schema: string, queueName: string): LimitStore {
  const fn = (name: string) => `${quote(schema)}.task_limit_${name}_${VERSION}`;
  const keyOf = (limit: string) => `${queueName}:${limit}`;
  let starts = 0;
  let sweptAt = 0;
  // Rows of limits not used again; a lost sweep only waits for the next one.
  const sweep = (now: number) => {
    if (now - sweptAt < SWEEP_EVERY_MS) return;
    sweptAt = now;
    pool.query(`DELETE FROM ${quote(schema)}.task_limit_entry WHERE expires_ms < $1`, [now]).catch(() => {});
  };
  return {
    async admit({ member, concurrency, rate, leaseMs }, now): Promise<Admission> {
      sweep(now);
      const { rows } = await pool.query<{ answer: string[] }>(`SELECT ${fn("admit")}($1, $2, $3, $4, $5, $6, $7, $8, $9) AS answer`, [
        member,
        now,
        leaseMs,
        keyOf(concurrency?.key ?? "-"),
        concurrency?.limit ?? 0,
        keyOf(rate?.key ?? "-"),
        rate?.limit ?? 0,
        rate?.period ?? 0,
        `${now}:${starts++}`,
      ]);
      const [outcome, wakeAt, ...granted] = rows[0]!.answer;
      if (outcome === "later") return { outcome, wakeAt: Number(wakeAt), granted };
      return { outcome: outcome === "slot" ? "slot" : "run" };
    },
    async release({ member, concurrency, leaseMs }, now) {
      const { rows } = await pool.query<{ granted: string[] }>(`SELECT ${fn("release")}($1, $2, $3, $4, $5) AS granted`, [
        member,
        now,
        leaseMs,
        keyOf(concurrency.key),
        concurrency.limit,
      ]);
      return rows[0]!.granted;
    },
    async renew(slots, leaseMs, now) {
      if (slots.length === 0) return;
      await pool.query(
        `UPDATE ${quote(schema)}.task_limit_entry SET at_ms = $1, expires_ms = $1
          WHERE kind = 'slot' AND (limit_key, member) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
        [now + leaseMs, slots.map((slot) => keyOf(slot.key)), slots.map((slot) => slot.member)],
      );
    },
    async isWaiting(key, member) {
      const { rowCount } = await pool.query(
        `SELECT 1 FROM ${quote(schema)}.task_limit_entry WHERE limit_key = $1 AND kind = 'wait' AND member = $2`,
        [keyOf(key), member],
      );
      return (rowCount ?? 0) > 0;
    },
  };
}

const quote = (identifier: string) => `"${identifier.replaceAll('"', '""')}"`;
