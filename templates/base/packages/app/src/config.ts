import { DeclarationError, logSettingProblems, mailSettingsFromEnv, redisUrlProblem, SettingError, urlProblem } from "@repo/core";
import { queueConfigProblems } from "./queue-config.js";

/** The HTTP server's settings, all from the environment (`.env` in development). */
export interface AppConfig {
  /** PORT (default 3000; 0 picks a free port). */
  port: number;
  /** NODE_ENV=production: the admin dashboard needs ADMIN_TOKEN, mail needs SMTP_URL, data needs DATABASE_URL. */
  production: boolean;
  /** ADMIN_TOKEN: opens the admin dashboard in production. */
  adminToken: string | undefined;
  /** SIGNUP_RATE_LIMIT: signups one client may make per minute (default 10). */
  signupRateLimit?: number;
}

/** A worker process's settings besides the runtime's own (TASKS_*). */
export interface WorkerConfig {
  production: boolean;
  /** ADMIN_TOKEN: guards the worker's metrics in production. */
  adminToken: string | undefined;
  /** WORKER_METRICS_PORT: where the worker serves GET /metrics (none when unset). */
  metricsPort: number | undefined;
}

/** Every missing or malformed variable, named, in one message. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join("\n")}`);
    this.name = "ConfigError";
  }
}

const MIN_ADMIN_TOKEN_LENGTH = 16;

/** The HTTP server's configuration; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const problems: string[] = [];
  const port = parsePort("PORT", env.PORT, problems) ?? 3000;
  const adminToken = parseAdminToken(env, problems);
  const signupRateLimit = parsePositiveInteger("SIGNUP_RATE_LIMIT", env.SIGNUP_RATE_LIMIT, 10, problems);
  const { production } = checkShared(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { port, production, adminToken, signupRateLimit };
}

/** The worker's configuration (datastores and mail, as the server's); throws a ConfigError. */
export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const problems: string[] = [];
  const adminToken = parseAdminToken(env, problems);
  const metricsPort = parsePort("WORKER_METRICS_PORT", env.WORKER_METRICS_PORT, problems);
  const { production } = checkShared(env, problems);
  if (problems.length > 0) throw new ConfigError(problems);
  return { production, adminToken, metricsPort };
}

function parseAdminToken(env: NodeJS.ProcessEnv, problems: string[]): string | undefined {
  const adminToken = env.ADMIN_TOKEN?.trim() || undefined;
  if (adminToken !== undefined && adminToken.length < MIN_ADMIN_TOKEN_LENGTH) {
    problems.push(`ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (e.g. \`openssl rand -hex 32\`).`);
  }
  return adminToken;
}

/** What the server and the worker both need: the datastores, mail and logs. */
function checkShared(env: NodeJS.ProcessEnv, problems: string[]): { production: boolean } {
  const production = env.NODE_ENV === "production";

  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl)
    checkUrl("DATABASE_URL", databaseUrl, ["postgres:", "postgresql:"], "postgres://user:password@host:5432/dbname", problems);
  else if (production) problems.push("DATABASE_URL is not set: production needs a PostgreSQL (the embedded one is for development only).");

  const redisUrl = env.REDIS_URL?.trim();
  const redisProblem = redisUrl && redisUrlProblem("REDIS_URL", redisUrl);
  if (redisProblem) problems.push(redisProblem);

  try {
    mailSettingsFromEnv(env);
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    problems.push(error.message);
  }
  problems.push(...queueConfigProblems(env), ...logSettingProblems(env));
  return { production };
}

function parsePort(name: string, raw: string | undefined, problems: string[]): number | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65_535) {
    problems.push(`${name} must be a port number (0-65535), got "${value}".`);
    return undefined;
  }
  return port;
}

function parsePositiveInteger(name: string, raw: string | undefined, fallback: number, problems: string[]): number {
  const value = raw?.trim();
  if (!value) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    problems.push(`${name} must be a whole number of at least 1, got "${value}".`);
    return fallback;
  }
  return Number(value);
}

function checkUrl(name: string, value: string, protocols: string[], example: string, problems: string[]): void {
  const problem = urlProblem(name, value, protocols, example);
  if (problem) problems.push(problem);
}

/**
 * For entry points: prints a problem found at startup and exits 1 — a ConfigError, a
 * SettingError from core naming its variable (e.g. TASKS_CONCURRENCY), or a
 * DeclarationError (a task or schedule the code declares wrongly); rethrows anything else.
 */
export function exitOnInvalidConfig(error: unknown): never {
  // Plain lines on stderr, not the log: a person reads them at deploy time, and LOG_LEVEL
  // or LOG_FORMAT may be among the problems.
  if (error instanceof ConfigError) console.error(error.message);
  else if (error instanceof SettingError) console.error(`Invalid configuration:\n  - ${error.message}`);
  else if (error instanceof DeclarationError) console.error(`Invalid declaration: ${error.message}`);
  else throw error;
  process.exit(1);
}
