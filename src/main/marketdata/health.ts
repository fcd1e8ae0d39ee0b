/**
 * Per-provider health over a sliding window (default 30 minutes) and the score the router ranks
 * providers by. See docs/marketdata-health.md for the normalisation of each term.
 *
 *   H = 0.45·breaker + 0.25·(1 − latency) + 0.20·(1 − error) + 0.10·(1 − incompleteness)
 *
 * Freshness is reported but deliberately not in H: it is judged against the session by the
 * promotion gates (5 s in regular hours, 60 s outside), which H cannot know about.
 */
import type { Clock } from '../clock';
import type { ProviderName } from '../../shared/domain';
import type { FaultKind } from './provider';
import { DEFAULT_WINDOW_MS, TimeWindowCounter, TimeWindowSamples } from './stats';

export type BreakerState = 'closed' | 'open' | 'half-open';

export const FAULT_KINDS: readonly FaultKind[] = ['throttled', 'unauthorized', 'malformed', 'stale', 'down'];

export interface HealthConfig {
  /** Sliding window for every figure. Default 30 minutes. */
  windowMs: number;
  /** p95 latency at which the latency term reaches its worst (1). Default 2 000 ms. */
  latencyCeilingMs: number;
  /** Cap on kept latency and freshness samples each (see stats.ts). Default 8 192. */
  maxSamples: number;
}

export const DEFAULT_HEALTH_CONFIG: HealthConfig = {
  windowMs: DEFAULT_WINDOW_MS,
  latencyCeilingMs: 2000,
  maxSamples: 8192,
};

/** Weights of H in percent (0.45, 0.25, 0.20, 0.10), integers so the sum is exactly 100. */
export const HEALTH_WEIGHTS_PERCENT = { breaker: 45, latency: 25, error: 20, incompleteness: 10 } as const;

export interface HealthScoreInputs {
  breaker: BreakerState;
  /** null when no request was made in the window: no evidence of slowness, latency term 0. */
  latencyP95Ms: number | null;
  /** 0..1; 1 when no request was made. */
  successRate: number;
  /** 0..1; 1 when nothing was expected. */
  completeness: number;
}

/** Each term normalised to [0, 1], 0 best for latency/error/incompleteness, 1 best for breaker. */
export interface HealthTerms {
  breaker: number;
  latency: number;
  error: number;
  incompleteness: number;
}

function clamp01(x: number): number {
  return x <= 0 ? 0 : x >= 1 ? 1 : x;
}

export function healthTerms(
  inputs: HealthScoreInputs,
  latencyCeilingMs: number = DEFAULT_HEALTH_CONFIG.latencyCeilingMs,
): HealthTerms {
  const breaker = inputs.breaker === 'closed' ? 1 : inputs.breaker === 'half-open' ? 0.5 : 0;
  const latency =
    inputs.latencyP95Ms === null
      ? 0
      : Number.isNaN(inputs.latencyP95Ms)
        ? 1
        : clamp01(inputs.latencyP95Ms / latencyCeilingMs);
  const error = Number.isNaN(inputs.successRate) ? 1 : clamp01(1 - inputs.successRate);
  const incompleteness = Number.isNaN(inputs.completeness) ? 1 : clamp01(1 - inputs.completeness);
  return { breaker, latency, error, incompleteness };
}

/** H in [0, 1]; 1 is a closed breaker, instant answers, no errors and no missing bars. */
export function healthScore(
  inputs: HealthScoreInputs,
  latencyCeilingMs: number = DEFAULT_HEALTH_CONFIG.latencyCeilingMs,
): number {
  const t = healthTerms(inputs, latencyCeilingMs);
  // Summed in percent so a perfect provider scores exactly 1 (0.45 + 0.25 + 0.2 + 0.1 is
  // 0.9999999999999999 in floating point).
  const w = HEALTH_WEIGHTS_PERCENT;
  const percent =
    w.breaker * t.breaker +
    w.latency * (1 - t.latency) +
    w.error * (1 - t.error) +
    w.incompleteness * (1 - t.incompleteness);
  return percent / 100;
}

export interface ProviderHealthSnapshot {
  provider: ProviderName;
  breaker: BreakerState;
  /** ok / requests in the window; 1 when there were none. */
  successRate: number;
  /** Requests recorded in the window (any outcome). */
  requests: number;
  /** null when no request was recorded in the window. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  /** p95 of (receipt time − event time); null when no events in the window. */
  freshnessP95Ms: number | null;
  /** Events recorded in the window. */
  events: number;
  /** Evidence behind the figures: events received + requests recorded in the window. */
  sampleCount: number;
  /** Σ received / Σ expected bars in the window, capped at 1; 1 when none were expected. */
  completeness: number;
  /** Faults by kind in the window. */
  errors: Record<FaultKind, number>;
  /** Local (clock) time the last event was received, not the event's own timestamp. */
  lastEventAt: number | null;
  lastHeartbeatAt: number | null;
  score: number;
  terms: HealthTerms;
}

type Outcome = 'ok' | FaultKind;

export class ProviderHealth {
  readonly cfg: HealthConfig;
  private readonly outcomes: TimeWindowCounter<Outcome>;
  private readonly latency: TimeWindowSamples;
  private readonly freshness: TimeWindowSamples;
  private readonly bars: TimeWindowCounter<'expected' | 'received'>;
  private breaker: BreakerState = 'closed';
  private lastEventAt: number | null = null;
  private lastHeartbeatAt: number | null = null;

  constructor(
    readonly provider: ProviderName,
    private readonly clock: Clock,
    cfg: Partial<HealthConfig> = {},
  ) {
    this.cfg = { ...DEFAULT_HEALTH_CONFIG, ...cfg };
    if (!(this.cfg.latencyCeilingMs > 0)) throw new RangeError('latencyCeilingMs must be > 0');
    const window = { windowMs: this.cfg.windowMs };
    this.outcomes = new TimeWindowCounter(clock, window);
    this.bars = new TimeWindowCounter(clock, window);
    this.latency = new TimeWindowSamples(clock, { ...window, maxSamples: this.cfg.maxSamples });
    this.freshness = new TimeWindowSamples(clock, { ...window, maxSamples: this.cfg.maxSamples });
  }

  /**
   * One request that reached the provider (not one the breaker or the budget refused locally),
   * with its latency whatever the outcome: a slow failure is evidence of slowness too. Pass NaN
   * as the latency to count an outcome without a latency sample (a rejected frame, a local
   * refusal), so that 0 ms non-requests do not pull the latency percentiles down.
   */
  recordRequest(latencyMs: number, outcome: Outcome): void {
    this.outcomes.add(outcome);
    if (Number.isFinite(latencyMs) && latencyMs >= 0) this.latency.add(latencyMs);
  }

  /** An event received now; freshness = clock.now() − eventTs (negative skew counts as 0). */
  recordEvent(eventTs: number): void {
    const now = this.clock.now();
    this.lastEventAt = now;
    if (Number.isFinite(eventTs)) this.freshness.add(Math.max(0, now - eventTs));
  }

  recordHeartbeat(): void {
    this.lastHeartbeatAt = this.clock.now();
  }

  /** Bars expected for a period (e.g. minutes of a backfill) and how many arrived. */
  recordBars(expected: number, received: number): void {
    if (Number.isFinite(expected) && expected > 0) this.bars.add('expected', expected);
    if (Number.isFinite(received) && received > 0) this.bars.add('received', received);
  }

  setBreaker(state: BreakerState): void {
    this.breaker = state;
  }

  snapshot(): ProviderHealthSnapshot {
    const counts = this.outcomes.counts();
    const requests = this.outcomes.total();
    const okCount = counts.get('ok') ?? 0;
    const successRate = requests === 0 ? 1 : okCount / requests;
    const errors = Object.fromEntries(FAULT_KINDS.map((k) => [k, counts.get(k) ?? 0])) as Record<FaultKind, number>;
    const expected = this.bars.get('expected');
    const completeness = expected === 0 ? 1 : Math.min(1, this.bars.get('received') / expected);
    const latencyP95Ms = this.latency.percentile(95);
    const events = this.freshness.count();
    const inputs: HealthScoreInputs = { breaker: this.breaker, latencyP95Ms, successRate, completeness };
    return {
      provider: this.provider,
      breaker: this.breaker,
      successRate,
      requests,
      latencyP50Ms: this.latency.percentile(50),
      latencyP95Ms,
      freshnessP95Ms: this.freshness.percentile(95),
      events,
      sampleCount: events + requests,
      completeness,
      errors,
      lastEventAt: this.lastEventAt,
      lastHeartbeatAt: this.lastHeartbeatAt,
      score: healthScore(inputs, this.cfg.latencyCeilingMs),
      terms: healthTerms(inputs, this.cfg.latencyCeilingMs),
    };
  }
}
