/**
 * Retry and circuit breaker around one provider's requests, on cockatiel 3.
 *
 * Faults are results here, not exceptions (see provider.ts), so the policy classifies each
 * ProviderResult:
 *
 * - retried (default `down` and `throttled`) with jittered exponential backoff: attempt n waits a
 *   uniform draw in [d/2, d] with d = min(maxDelayMs, baseDelayMs · 2^(n−1)) ("equal jitter": never
 *   a zero wait, never synchronised with other clients). A fault carrying retryAfterMs waits at
 *   least that long; if that is longer than maxDelayMs the policy does not wait at all and returns
 *   the fault as `throttled` with its retryAfterMs, for the router to schedule.
 * - never retried: `unauthorized` (a bad key stays bad), `malformed` (a body that does not parse
 *   is a format change or an error page; the same request will most likely get the same body,
 *   and every retry spends the plan's budget) and `stale` (the provider answered; asking again a
 *   few hundred ms later will not make its data fresher, the next poll will).
 * - breaker: `breakerThreshold` consecutive `down`, `malformed` or `unauthorized` attempts open it
 *   (each retry attempt counts). `throttled` is neutral in the closed state: it neither counts nor
 *   resets the count, because an exhausted budget makes a provider throttled, not down. `stale`
 *   and `ok` are successes. While open, execute() returns fault('down', 'circuit open …') at once
 *   without calling fn. After halfOpenAfterMs the next call is a probe: ok or stale closes the
 *   breaker; anything else, throttled included (a throttled probe proves nothing), reopens it.
 *
 * A function that throws (a bug, or an abort) is turned into fault('down', …): callers of
 * execute() only ever see results. A call whose signal was aborted (by the caller's signal or by
 * dispose()) is neutral for the breaker, like throttled. Cockatiel measures the open period with the wall clock
 * (Date.now in the library), so the breaker runs in real time even under a SimulatedClock.
 */
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  IsolatedCircuitError,
  circuitBreaker,
  handleWhenResult,
  retry,
  type IRetryBackoffContext,
} from 'cockatiel';
import { fault, type FaultKind, type ProviderResult } from './provider';
import type { BreakerState } from './health';

export interface ProviderPolicyConfig {
  /** Total attempts per execute(), the first included. Default 3. */
  maxAttempts?: number;
  /** First backoff before jitter. Default 250 ms. */
  baseDelayMs?: number;
  /** Longest backoff, and the longest Retry-After the policy will wait for. Default 5 000 ms. */
  maxDelayMs?: number;
  /** Consecutive breaker-counted faults that open the breaker. Default 5. */
  breakerThreshold?: number;
  /** How long the breaker stays open before a probe is let through. Default 30 000 ms. */
  halfOpenAfterMs?: number;
  onBreakerChange?: (s: BreakerState) => void;
  /** Fault kinds retried. Default ['down', 'throttled']. `unauthorized` is never retried. */
  retryOn?: readonly FaultKind[];
  /** Fault kinds the breaker counts. Default ['down', 'malformed', 'unauthorized']. */
  tripOn?: readonly FaultKind[];
  /** Random source in [0, 1) for jitter; injectable for tests. */
  random?: () => number;
}

export interface ProviderPolicy {
  execute<T>(fn: (signal: AbortSignal) => Promise<ProviderResult<T>>, signal?: AbortSignal): Promise<ProviderResult<T>>;
  breakerState(): BreakerState;
  dispose(): void;
}

export const DEFAULT_POLICY = {
  maxAttempts: 3,
  baseDelayMs: 250,
  maxDelayMs: 5000,
  breakerThreshold: 5,
  halfOpenAfterMs: 30_000,
  retryOn: ['down', 'throttled'] as readonly FaultKind[],
  tripOn: ['down', 'malformed', 'unauthorized'] as readonly FaultKind[],
};

type AnyResult = ProviderResult<unknown>;

/** What one attempt returns through the breaker: the result and whether the breaker counts it. */
interface Marked {
  result: AnyResult;
  trips: boolean;
}

/** A neutral result in the closed state, thrown past the breaker so it does no accounting. */
class NeutralResult extends Error {
  constructor(readonly result: AnyResult) {
    super(`neutral result: ${result.kind}`);
  }
}

function toBreakerState(s: CircuitState): BreakerState {
  switch (s) {
    case CircuitState.Closed:
      return 'closed';
    case CircuitState.HalfOpen:
      return 'half-open';
    default:
      return 'open';
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function createProviderPolicy(cfg: ProviderPolicyConfig = {}): ProviderPolicy {
  const maxAttempts = Math.max(1, Math.floor(cfg.maxAttempts ?? DEFAULT_POLICY.maxAttempts));
  const baseDelayMs = Math.max(0, cfg.baseDelayMs ?? DEFAULT_POLICY.baseDelayMs);
  const maxDelayMs = Math.max(0, cfg.maxDelayMs ?? DEFAULT_POLICY.maxDelayMs);
  const threshold = Math.max(1, Math.floor(cfg.breakerThreshold ?? DEFAULT_POLICY.breakerThreshold));
  const halfOpenAfterMs = Math.max(0, cfg.halfOpenAfterMs ?? DEFAULT_POLICY.halfOpenAfterMs);
  const random = cfg.random ?? Math.random;
  const retryOn = new Set<FaultKind>((cfg.retryOn ?? DEFAULT_POLICY.retryOn).filter((k) => k !== 'unauthorized'));
  const tripOn = new Set<FaultKind>(cfg.tripOn ?? DEFAULT_POLICY.tripOn);
  const neutral = (k: AnyResult['kind']): boolean => k === 'throttled' && !tripOn.has('throttled');

  const breaker = circuitBreaker(
    handleWhenResult((m) => (m as Marked).trips),
    { halfOpenAfter: halfOpenAfterMs, breaker: new ConsecutiveBreaker(threshold) },
  );
  const stateListener = cfg.onBreakerChange
    ? breaker.onStateChange((s) => cfg.onBreakerChange?.(toBreakerState(s)))
    : undefined;

  const tooLongToWait = (r: AnyResult): boolean =>
    r.kind !== 'ok' && r.retryAfterMs !== undefined && r.retryAfterMs > maxDelayMs;
  const wantsRetry = (r: AnyResult): boolean =>
    r.kind !== 'ok' && retryOn.has(r.kind) && !tooLongToWait(r) && breaker.state === CircuitState.Closed;

  const resultOf = (reason: IRetryBackoffContext<unknown>['result']): AnyResult | undefined => {
    if ('value' in reason) return (reason.value as Marked).result;
    return reason.error instanceof NeutralResult ? reason.error.result : undefined;
  };

  const retryPolicy = retry(
    handleWhenResult((m) => wantsRetry((m as Marked).result)).orWhen(
      (e) => e instanceof NeutralResult && wantsRetry(e.result),
    ),
    {
      maxAttempts: maxAttempts - 1,
      backoff: new DelegateBackoff<IRetryBackoffContext<unknown>>((ctx) => {
        const d = Math.min(maxDelayMs, baseDelayMs * 2 ** (ctx.attempt - 1));
        const jittered = d / 2 + random() * (d / 2);
        const r = resultOf(ctx.result);
        const floor = r !== undefined && r.kind !== 'ok' ? (r.retryAfterMs ?? 0) : 0;
        return Math.min(maxDelayMs, Math.max(jittered, floor));
      }),
    },
  );

  const disposed = new AbortController();

  async function attempt(
    fn: (signal: AbortSignal) => Promise<AnyResult>,
    signal: AbortSignal,
    probe: boolean,
  ): Promise<Marked> {
    let result: AnyResult;
    if (signal.aborted) {
      result = fault('down', disposed.signal.aborted ? 'policy disposed' : 'aborted');
    } else {
      try {
        result = await fn(signal);
      } catch (e) {
        result = fault('down', `request failed: ${describe(e)}`);
      }
    }
    // A cancelled call says nothing about the provider: it is neutral like throttled.
    if (signal.aborted || neutral(result.kind)) {
      if (probe) return { result, trips: true };
      throw new NeutralResult(result);
    }
    return { result, trips: result.kind !== 'ok' && tripOn.has(result.kind) };
  }

  function finish(r: AnyResult): AnyResult {
    if (r.kind !== 'ok' && retryOn.has(r.kind) && tooLongToWait(r)) {
      const { retryAfterMs, status } = r;
      return fault('throttled', `${r.message} (asked to wait ${retryAfterMs} ms, more than ${maxDelayMs} ms)`, {
        ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        ...(status === undefined ? {} : { status }),
      });
    }
    return r;
  }

  return {
    async execute<T>(
      fn: (signal: AbortSignal) => Promise<ProviderResult<T>>,
      signal?: AbortSignal,
    ): Promise<ProviderResult<T>> {
      if (disposed.signal.aborted) return fault('down', 'policy disposed');
      const combined = signal ? AbortSignal.any([signal, disposed.signal]) : disposed.signal;
      try {
        const marked = await retryPolicy.execute(
          ({ signal: s }) =>
            breaker.execute(({ signal: inner }) => {
              // Calls only run in the closed state, except the half-open probe.
              const probe = breaker.state !== CircuitState.Closed;
              return attempt(fn as (signal: AbortSignal) => Promise<AnyResult>, inner, probe);
            }, s),
          combined,
        );
        return finish(marked.result) as ProviderResult<T>;
      } catch (e) {
        if (e instanceof NeutralResult) return finish(e.result) as ProviderResult<T>;
        if (e instanceof BrokenCircuitError || e instanceof IsolatedCircuitError) {
          return fault(
            'down',
            `circuit open after repeated failures; a probe goes through ${halfOpenAfterMs} ms after opening`,
          );
        }
        return fault('down', `request failed: ${describe(e)}`);
      }
    },

    breakerState(): BreakerState {
      return toBreakerState(breaker.state);
    },

    dispose(): void {
      stateListener?.dispose();
      disposed.abort();
    },
  };
}
