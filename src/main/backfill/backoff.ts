/**
 * Delay before a failed backfill job is tried again. A pure function rather than a cockatiel
 * policy: cockatiel waits in-process on wall-clock timers, while a job's next attempt must survive
 * a restart (it is a column in SQLite) and follow the engine's Clock (tests and replay).
 */
export interface BackoffConfig {
  /** Delay after the first failure, before jitter. */
  baseMs: number;
  /** Longest delay, before a provider's Retry-After. */
  maxMs: number;
}

/**
 * Capped exponential backoff with equal jitter: after n failures, a uniform draw in [d/2, d] with
 * d = min(maxMs, baseMs · 2^(n−1)). Never zero, never synchronised across jobs. A provider's
 * Retry-After is a floor: asking earlier would only spend budget on another refusal.
 */
export function backoffDelayMs(
  failures: number,
  cfg: BackoffConfig,
  random: () => number = Math.random,
  retryAfterMs?: number,
): number {
  const d = Math.min(cfg.maxMs, cfg.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = Math.round(d / 2 + (random() * d) / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
