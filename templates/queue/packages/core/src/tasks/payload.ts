import superjson from "superjson";
import type { TaskJobData } from "./datastore/index.js";

/*
 * Task arguments and results travel through the queue as JSON, written by superjson so
 * that a task receives what the caller passed and `result()` returns what the task
 * returned: Date, Map, Set, BigInt, RegExp, URL, Error, typed arrays, undefined, NaN,
 * ±Infinity and shared or circular references survive the trip. superjson keeps such
 * values as JSON plus notes on their types ("meta"); JSON-only values are stored as plain
 * JSON without notes, so the dashboard shows them as they are, and tasks and results
 * stored before the notes existed read the same.
 */

/** The values superjson brings back as they were, besides plain objects and arrays. */
type Leaf = string | number | boolean | bigint | null | undefined | Date | RegExp | URL | Error | ArrayBufferView;
type AnyFunction = (...args: never[]) => unknown;

/**
 * The arguments a task accepts through the queue: `T` where every part of it comes
 * back as itself, and `never` where it would not (a function, a symbol, a class
 * instance's methods), so such an argument fails to typecheck at `enqueue`.
 */
export type Faithful<T> = unknown extends T
  ? T
  : T extends Leaf
    ? T
    : T extends Map<infer K, infer V>
      ? Map<Faithful<K>, Faithful<V>>
      : T extends Set<infer V>
        ? Set<Faithful<V>>
        : T extends readonly unknown[]
          ? { [I in keyof T]: Faithful<T[I]> }
          : T extends AnyFunction
            ? never
            : T extends object
              ? { [K in keyof T]: Faithful<T[K]> }
              : never;

/**
 * What comes back from the queue for a value of type `T` (a task's result): `T` itself
 * for what superjson keeps, plain data for class instances (their methods gone), and no
 * functions.
 */
export type Revived<T> = unknown extends T
  ? T
  : T extends Leaf
    ? T
    : T extends Map<infer K, infer V>
      ? Map<Revived<K>, Revived<V>>
      : T extends Set<infer V>
        ? Set<Revived<V>>
        : T extends readonly unknown[]
          ? { -readonly [I in keyof T]: Revived<T[I]> }
          : T extends AnyFunction
            ? undefined
            : T extends object
              ? { [K in keyof T as T[K] extends AnyFunction ? never : K]: Revived<T[K]> }
              : undefined;

type Meta = ReturnType<typeof superjson.serialize>["meta"];

/** A result as stored when it needs superjson's notes; any other result is stored as it is. */
interface NotedResult {
  $superjson: { json: unknown; meta: Meta };
}

/**
 * The job data for `args`: checked first (every argument must come back as itself,
 * else a TypeError naming the task, the batch `item` if any, the argument and the path inside it).
 */
export function encodeArgs(taskName: string, args: readonly unknown[], item?: string): TaskJobData {
  // The common case, and the hot path: plain JSON needs neither checks nor superjson.
  if (isPlainJson(args)) return { args: [...args] };
  args.forEach((value, index) => {
    const problem = findProblem(value, "", new Set());
    if (problem) {
      throw new TypeError(
        `Cannot enqueue task "${taskName}"${item ? ` (${item})` : ""}: argument ${index + 1}${problem.path ? ` at ${problem.path}` : ""} ${problem.reason}. ` +
          "Task arguments are data: JSON values, and Date, Map, Set, BigInt, RegExp, URL, Error, typed arrays and undefined.",
      );
    }
  });
  const { json, meta } = superjson.serialize([...args]);
  return meta ? { args: json as unknown[], meta } : { args: json as unknown[] };
}

/** The arguments a job carries, as the caller passed them. */
export function decodeArgs(data: Pick<TaskJobData, "args" | "meta">): unknown[] {
  const args = data.args ?? [];
  return data.meta ? superjson.deserialize({ json: args as never, meta: data.meta }) : args;
}

/** A task's return value, as the job stores it. */
export function encodeResult(value: unknown): unknown {
  if (value !== undefined && isPlainJson(value)) return value;
  const { json, meta } = superjson.serialize(value);
  return meta ? ({ $superjson: { json, meta } } satisfies NotedResult) : json;
}

/** A stored result, as the task returned it. */
export function decodeResult(stored: unknown): unknown {
  if (typeof stored !== "object" || stored === null || !("$superjson" in stored)) return stored;
  const { json, meta } = (stored as NotedResult).$superjson;
  return superjson.deserialize({ json: json as never, meta });
}

/**
 * Whether `value` is JSON that comes back from JSON.parse(JSON.stringify(value)) as it
 * was: strings, finite numbers, booleans, null, and arrays and plain objects of those,
 * without holes, `undefined` or an object met twice (superjson keeps shared references).
 */
function isPlainJson(value: unknown, seen?: Set<object>, depth = 0): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value) && !Object.is(value, -0);
    case "object":
      break;
    default:
      return false;
  }
  if (value === null) return true;
  // Deeper than this is rare: superjson, which handles anything, takes over.
  if (depth > 64) return false;
  const visited = seen ?? new Set<object>();
  if (visited.has(value)) return false;
  visited.add(value);
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (!(index in value) || !isPlainJson(value[index], visited, depth + 1)) return false;
    }
    return true;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return false;
  for (const key in value) {
    if (!isPlainJson((value as Record<string, unknown>)[key], visited, depth + 1)) return false;
  }
  return true;
}

interface Problem {
  path: string;
  reason: string;
}

function findProblem(value: unknown, path: string, seen: Set<object>): Problem | undefined {
  switch (typeof value) {
    case "symbol":
      return { path, reason: "is a symbol" };
    case "function":
      return { path, reason: "is a function" };
    case "object":
      break;
    default:
      return undefined;
  }
  if (value === null || seen.has(value)) return undefined; // shared and circular references survive
  seen.add(value);
  if (value instanceof Date || value instanceof RegExp || value instanceof URL || value instanceof Error) return undefined;
  if (ArrayBuffer.isView(value)) return value instanceof DataView ? { path, reason: "is a DataView (pass a typed array)" } : undefined;
  if (value instanceof Map) {
    for (const [key, child] of value) {
      const problem = findProblem(key, `${path}.<key>`, seen) ?? findProblem(child, `${path}.get(${String(key)})`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (value instanceof Set) {
    for (const child of value) {
      const problem = findProblem(child, `${path}.<value>`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      if (!(index in value)) return { path: `${path}[${index}]`, reason: "is a hole in a sparse array (it would come back as null)" };
      const problem = findProblem(value[index], `${path}[${index}]`, seen);
      if (problem) return problem;
    }
    return undefined;
  }
  const prototype = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) {
    return {
      path,
      reason: `is a ${prototype?.constructor?.name ?? "class"} instance (it would come back as a plain object, without its methods)`,
    };
  }
  for (const [key, child] of Object.entries(value)) {
    const problem = findProblem(child, `${path}.${key}`, seen);
    if (problem) return problem;
  }
  return undefined;
}
