import { urlProblem } from "./url-problem.js";

export interface RedisNode {
  host: string;
  port: number;
}

/**
 * The Redis that REDIS_URL names, in one of three forms:
 * - `redis://[user:password@]host:6379[/db]` (`rediss://` for TLS): one server;
 * - `redis+sentinel://[user:password@]s1:26379,s2:26379/<primary name>[/db]`: the primary
 *   that those Sentinels name, followed across failovers (the credentials are the primary's);
 * - `redis+cluster://[user:password@]n1:6379,n2:6379`: a Redis Cluster, found from any of
 *   those nodes.
 * Both `+` forms take `rediss+` for TLS.
 */
export type RedisTarget =
  | { kind: "server"; url: string }
  | ({ kind: "sentinel"; sentinels: RedisNode[]; primaryName: string; db: number } & RedisCredentials)
  | ({ kind: "cluster"; nodes: RedisNode[] } & RedisCredentials);

interface RedisCredentials {
  username?: string;
  password?: string;
  tls: boolean;
}

const EXAMPLES = "redis://host:6379, redis+sentinel://host:26379/mymaster or redis+cluster://host1:6379,host2:6379";
const MULTI_HOST = /^(rediss?)\+(sentinel|cluster):\/\/(?:([^@/?#]*)@)?([^/?#]*)(?:\/([^?#]*))?$/;

/** Reads REDIS_URL's forms (see RedisTarget); throws an Error saying what is wrong, without echoing the value. */
export function parseRedisUrl(value: string): RedisTarget {
  const read = readRedisUrl("REDIS_URL", value);
  if ("problem" in read) throw new Error(read.problem);
  return read.target;
}

/** What is wrong with a REDIS_URL-like setting, or undefined; the value is never echoed (it may hold a password). */
export function redisUrlProblem(name: string, value: string): string | undefined {
  const read = readRedisUrl(name, value);
  return "problem" in read ? read.problem : undefined;
}

function readRedisUrl(name: string, value: string): { target: RedisTarget } | { problem: string } {
  const multiHost = MULTI_HOST.exec(value);
  if (!multiHost) {
    if (/^rediss?\+/.test(value)) return { problem: `${name} is not a Redis URL; expected something like ${EXAMPLES}.` };
    const problem = urlProblem(name, value, ["redis:", "rediss:", "redis+sentinel:", "redis+cluster:"], EXAMPLES);
    return problem ? { problem } : { target: { kind: "server", url: value } };
  }
  const [, scheme, kind, userinfo = "", hosts = "", path = ""] = multiHost;
  const nodes = parseNodes(hosts, kind === "sentinel" ? 26379 : 6379);
  if (!nodes) return { problem: `${name} must list its ${kind} nodes as host:port, separated by commas.` };
  let username: string | undefined;
  let password: string | undefined;
  try {
    [username, password] = userinfo.split(/:(.*)/s).map((part) => (part ? decodeURIComponent(part) : undefined));
  } catch {
    return { problem: `${name} has a user or password that is not URL-encoded (write % as %25).` };
  }
  const credentials = { username, password, tls: scheme === "rediss" };
  if (kind === "cluster") {
    if (path) return { problem: `${name} of a Redis Cluster takes no path: a cluster has one database.` };
    return { target: { kind, nodes, ...credentials } };
  }
  const [primaryName, db = "0", ...rest] = path.split("/");
  if (!primaryName) {
    return { problem: `${name} must end with the name the Sentinels know the primary by, e.g. redis+sentinel://host:26379/mymaster.` };
  }
  if (!/^\d+$/.test(db) || rest.length > 0) {
    return { problem: `${name} may end with a database number after the primary's name (/mymaster/0), nothing else.` };
  }
  return { target: { kind: "sentinel", sentinels: nodes, primaryName, db: Number(db), ...credentials } };
}

/** "h1:1,[::1]:2,h3" → nodes (a missing port is `defaultPort`); undefined when one is malformed. */
function parseNodes(hosts: string, defaultPort: number): RedisNode[] | undefined {
  const nodes = hosts.split(",").map((entry) => {
    const node = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+)(?::(\d{1,5}))?$/.exec(entry.trim());
    if (!node) return undefined;
    const port = node[2] === undefined ? defaultPort : Number(node[2]);
    return port <= 65_535 ? { host: node[1]!.replace(/^\[|\]$/g, ""), port } : undefined;
  });
  return nodes.length > 0 && nodes.every((node) => node !== undefined) ? nodes : undefined;
}
