import { setTimeout as sleep } from "node:timers/promises";
import { describeError, isConnectionError, redactUrl, ServiceUnavailableError } from "@repo/core";
import { retryDelay } from "../backoff.js";
import { tasksLog } from "../task-log.js";
import type { DatastoreLog, DatastoreOptions, RetryInfo } from "./types.js";

/** "Redis at redis://:***@host:6379": a datastore in messages, its password hidden. */
export function describeTarget(what: "Redis" | "PostgreSQL", url: string): string {
  return `${what} at ${redactUrl(url)}`;
}

/** Reconnection waits: the tasks' retry backoff, with "equal jitter" (half to all of the capped exponential). */
export function reconnectDelay(attempt: number, { baseMs = 500, capMs = 10_000 }: DatastoreOptions["retry"] = {}): number {
  return retryDelay(attempt, { delay: baseMs, max: capMs, jitter: 0.5 });
}

export interface ReachabilityTarget {
  what: "Redis" | "PostgreSQL";
  /** What to check when it cannot be reached. */
  hint: string;
  /** Its URL, or how to find it: resolved once, on first use (it may start the embedded PostgreSQL). */
  url: string | (() => Promise<string>);
  /** One connection attempt and one round trip; rejects when the datastore does not answer. */
  probe(url: string): Promise<void>;
}

/** What `watch` reports on: BullMQ's classes set `closing` in close(), pg.Pool sets `ending` in end(). */
interface WatchedConnection {
  on(event: "error", listener: (error: Error) => void): unknown;
  readonly closing?: unknown;
  readonly ending?: boolean;
}

/**
 * One datastore's reachability, shared by every connection opened on it: the
 * first failure is reported once, clearly; the return once; nothing in between.
 * While down it probes with capped backoff, so the "back" line appears even
 * when the failing connections (PostgreSQL pools) emit nothing on recovery.
 */
export class Reachability {
  private state: "unknown" | "up" | "down" = "unknown";
  private watching = false;
  private resolvedUrl: string | undefined;
  private readonly closed = new AbortController();

  constructor(
    private readonly target: ReachabilityTarget,
    private readonly options: DatastoreOptions,
  ) {
    if (typeof target.url === "string") this.resolvedUrl = target.url;
  }

  get log(): DatastoreLog {
    return this.options.log ?? tasksLog();
  }

  async url(): Promise<string> {
    const { url } = this.target;
    this.resolvedUrl ??= typeof url === "string" ? url : await url();
    return this.resolvedUrl;
  }

  describe(url: string): string {
    return describeTarget(this.target.what, url);
  }

  /** Why `error` happened, as one sentence that names the datastore and what to check. */
  explain(url: string, error: unknown): string {
    return `Cannot reach ${this.describe(url)}: ${describeError(error)}. ${this.target.hint}`;
  }

  async waitUntilReachable({ onRetry }: { onRetry?: (info: RetryInfo) => void } = {}): Promise<void> {
    const stop = this.closed.signal;
    // Resolving the URL may start the embedded PostgreSQL: its failures are not
    // "unreachable" and are thrown as they are.
    const url = await this.url();
    for (let attempt = 1; ; attempt++) {
      stop.throwIfAborted();
      try {
        await this.target.probe(url);
        this.up();
        return;
      } catch (error) {
        const cause = error instanceof Error ? error : new Error(String(error));
        const delayMs = reconnectDelay(attempt, this.options.retry);
        if (this.state !== "down") {
          this.state = "down";
          this.log.error(`${this.explain(url, cause)} Retrying with backoff (at most ${this.cap()} apart) until it answers.`);
        }
        onRetry?.({ attempt, delayMs, error: cause });
        await sleep(delayMs, undefined, { signal: stop }).catch(() => {
          throw stop.reason;
        });
      }
    }
  }

  /**
   * Resolves once a BullMQ queue or listener just built is connected, within `timeoutMs`;
   * otherwise closes it (a retrying connection must not pile up per request) and throws a
   * ServiceUnavailableError saying why, naming the datastore. Nothing opened with it hangs its caller.
   */
  async ready(opened: { waitUntilReady(): Promise<unknown>; close(): Promise<void> }, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      await Promise.race([opened.waitUntilReady(), deadline]);
    } catch (error) {
      await opened.close().catch(() => {});
      throw new ServiceUnavailableError(this.explain(await this.url(), error), { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Reports the connection errors of a BullMQ queue, listener, consumer or client
   * here, once per outage. Without an 'error' listener BullMQ would print every
   * failed reconnect with its stack; other errors BullMQ surfaces itself.
   */
  watch(emitter: WatchedConnection): void {
    emitter.on("error", (error: Error) => {
      // Closing a connection fails the query it was waiting on (a PostgreSQL listener's
      // LISTEN: "Connection terminated"): the datastore is fine, nothing to report.
      if (emitter.closing || emitter.ending) return;
      if (isConnectionError(error)) this.lost(error);
    });
  }

  /** The datastore answered (a connection became ready). */
  up(): void {
    if (this.state === "down" && this.resolvedUrl) this.log.info(`${this.describe(this.resolvedUrl)} is reachable again; carrying on.`);
    this.state = "up";
  }

  close(): void {
    this.closed.abort(new Error(`The task datastore (${this.target.what}) was closed`));
  }

  /** A live connection failed: report it once, then watch for the datastore's return. */
  private lost(error: Error): void {
    const url = this.resolvedUrl;
    if (this.state === "down" || this.closed.signal.aborted || url === undefined) return;
    this.state = "down";
    this.log.error(
      `Lost the connection to ${this.describe(url)}: ${describeError(error)}. ${this.target.hint} ` +
        `Reconnecting with backoff (at most ${this.cap()} apart); tasks resume when it is back.`,
    );
    if (this.watching) return;
    this.watching = true;
    this.waitUntilReachable()
      .catch(() => {}) // closed meanwhile
      .finally(() => {
        this.watching = false;
      });
  }

  private cap(): string {
    const capMs = this.options.retry?.capMs ?? 10_000;
    return capMs < 1000 ? `${capMs} ms` : `${Math.round(capMs / 1000)} s`;
  }
}
