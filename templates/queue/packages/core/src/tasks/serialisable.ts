/**
 * Task arguments travel through the queue as JSON. "Serialisable" here means: the
 * value comes back from JSON.parse(JSON.stringify(value)) unchanged, so the task
 * sees exactly what the caller passed. Accepted: strings, finite numbers, booleans,
 * null, arrays and plain objects of those. An object property set to `undefined`
 * is accepted (it is dropped, and reads as undefined either way); trailing
 * `undefined` arguments are dropped (as if not passed). Everything else is
 * rejected at enqueue time, naming the task, the argument and the path inside it.
 */
export function serialisableArgs(taskName: string, args: readonly unknown[]): unknown[] {
  let end = args.length;
  while (end > 0 && args[end - 1] === undefined) end--;
  const kept = args.slice(0, end);
  kept.forEach((value, index) => {
    const problem = findProblem(value, "", new Set());
    if (problem) {
      throw new TypeError(
        `Cannot enqueue task "${taskName}": argument ${index + 1}${problem.path ? ` at ${problem.path}` : ""} ${problem.reason}. ` +
          "Task arguments must survive JSON unchanged (strings, finite numbers, booleans, null, arrays, plain objects).",
      );
    }
  });
  return kept;
}

interface Problem {
  path: string;
  reason: string;
}

function findProblem(value: unknown, path: string, ancestors: Set<object>): Problem | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : { path, reason: `is ${value} (JSON turns it into null)` };
    case "undefined":
      return { path, reason: "is undefined (JSON turns it into null)" };
    case "bigint":
      return { path, reason: "is a BigInt (pass it as a string)" };
    case "symbol":
      return { path, reason: "is a symbol" };
    case "function":
      return { path, reason: "is a function" };
  }
  if (value === null) return undefined;
  const object = value as object;
  if (ancestors.has(object)) return { path, reason: "refers back to itself (a cycle)" };
  if (object instanceof Date) return { path, reason: "is a Date (pass date.toISOString())" };
  ancestors.add(object);
  try {
    if (Array.isArray(object)) {
      for (let index = 0; index < object.length; index++) {
        if (!(index in object)) return { path: `${path}[${index}]`, reason: "is a hole in a sparse array" };
        const problem = findProblem(object[index], `${path}[${index}]`, ancestors);
        if (problem) return problem;
      }
      return undefined;
    }
    const prototype = Object.getPrototypeOf(object);
    if (prototype !== Object.prototype && prototype !== null) {
      return { path, reason: `is a ${prototype?.constructor?.name ?? "class"} instance, not a plain object` };
    }
    for (const [key, child] of Object.entries(object)) {
      if (child === undefined) continue;
      const problem = findProblem(child, `${path}.${key}`, ancestors);
      if (problem) return problem;
    }
    return undefined;
  } finally {
    ancestors.delete(object);
  }
}
