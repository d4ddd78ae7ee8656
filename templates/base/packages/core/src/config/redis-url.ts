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
  const problem = redisUrlProblem("REDIS_URL", value);
  if (problem) throw new Error(problem);
  const multiHost = MULTI_HOST.exec(value);
  if (!multiHost) return { kind: "server", url: value };
  const [, scheme, kind, userinfo = "", hosts = "", path = ""] = multiHost;
  const [username, password] = userinfo.split(/:(.*)/s).map((part) => (part ? decodeURIComponent(part) : undefined));
  const credentials = { username, password, tls: scheme === "rediss" };
  const [primaryName = "", db = "0"] = path.split("/");
  if (kind === "sentinel") return { kind, sentinels: parseNodes(hosts, 26379)!, primaryName, db: Number(db), ...credentials };
  return { kind: "cluster", nodes: parseNodes(hosts, 6379)!, ...credentials };
}

/** What is wrong with a REDIS_URL-like setting, or undefined; the value is never echoed (it may hold a password). */
export function redisUrlProblem(name: string, value: string): string | undefined {
  const multiHost = MULTI_HOST.exec(value);
  if (!multiHost) {
    if (/^rediss?\+/.test(value)) return `${name} is not a Redis URL; expected something like ${EXAMPLES}.`;
    return urlProblem(name, value, ["redis:", "rediss:", "redis+sentinel:", "redis+cluster:"], EXAMPLES);
  }
  const [, , kind, , hosts = "", path = ""] = multiHost;
  if (!parseNodes(hosts, 0)) return `${name} must list its ${kind} nodes as host:port, separated by commas.`;
  const [primaryName, db, ...rest] = path.split("/");
  if (kind === "sentinel") {
    if (!primaryName) return `${name} must end with the name the Sentinels know the primary by, e.g. redis+sentinel://host:26379/mymaster.`;
    if ((db !== undefined && !/^\d+$/.test(db)) || rest.length > 0)
      return `${name} may end with a database number after the primary's name (/mymaster/0), nothing else.`;
  } else if (path) {
    return `${name} of a Redis Cluster takes no path: a cluster has one database.`;
  }
  return undefined;
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
