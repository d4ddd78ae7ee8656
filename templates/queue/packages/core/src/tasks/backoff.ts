/** How long to wait before retrying a failed attempt. */
export interface BackoffOptions {
  /** Wait before the first retry, in ms (default 1 000); doubles with every further retry. */
  delay?: number;
  /** The longest wait, in ms (default 60 000). */
  max?: number;
  /** Fraction of the wait that is randomised, 0..1 (default 0.2): spreads retries of tasks that failed together. */
  jitter?: number;
}

/**
 * The wait before retry number `retry` (1 = first retry): exponential from `delay`,
 * capped at `max`, then up to `jitter` of it taken off at random — so it is never
 * above the cap and never below (1 - jitter) of the exponential value.
 */
export function retryDelay(retry: number, { delay = 1_000, max = 60_000, jitter = 0.2 }: BackoffOptions = {}): number {
  const exponential = Math.min(max, delay * 2 ** Math.max(0, retry - 1));
  const spread = Math.min(1, Math.max(0, jitter));
  return Math.round(exponential * (1 - spread * Math.random()));
}
