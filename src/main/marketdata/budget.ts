/**
 * Request budget of one provider plan: a token bucket for the per-minute limit plus a daily cap
 * that resets at midnight America/New_York (the providers' "day" follows the US market, and a UTC
 * reset would fall at 19:00 or 20:00 New York time, in the middle of extended hours).
 *
 * Hand-written on a Clock rather than taken from a rate-limiting library: those read the wall
 * clock and set timers, whereas the engine's domain code must run under a SimulatedClock in
 * backtests and tests, and a local refusal here has to come back as a typed `throttled` result
 * with a retryAfterMs the router can act on, not as a queued promise.
 */
import type { Clock } from '../clock';
import type { ProviderName } from '../../shared/domain';
import { fromNewYork, nyDateKey, toNewYork } from '../time/newYork';

export interface RequestBudgetConfig {
  /** Sustained requests per minute; also the burst size. Infinity for no per-minute limit. */
  perMinute: number;
  /** Requests per New York calendar day. Infinity for no daily cap. */
  perDay: number;
  /** Marginal cost of one request in USD; 0 on free plans. */
  costPerRequestUsd: number;
}

export type BudgetTake = { ok: true } | { ok: false; kind: 'throttled'; reason: string; retryAfterMs: number };

/**
 * Default free-plan limits: Alpha Vantage 25 requests/day and 5/minute; Polygon Basic 5/minute,
 * no daily cap; Finnhub 60/minute; Alpaca Basic 200/minute; Yahoo has no published API, so a
 * conservative 60/minute. Plans change: these are defaults for config, not facts to rely on.
 */
export const FREE_PLAN_BUDGETS = {
  alphavantage: { perMinute: 5, perDay: 25, costPerRequestUsd: 0 },
  polygon: { perMinute: 5, perDay: Infinity, costPerRequestUsd: 0 },
  finnhub: { perMinute: 60, perDay: Infinity, costPerRequestUsd: 0 },
  alpaca: { perMinute: 200, perDay: Infinity, costPerRequestUsd: 0 },
  yahoo: { perMinute: 60, perDay: Infinity, costPerRequestUsd: 0 },
} as const satisfies Partial<Record<ProviderName, RequestBudgetConfig>>;

const MS_PER_MINUTE = 60_000;
/** Float slack so that waiting exactly retryAfterMs always yields a whole token. */
const EPS = 1e-9;

export class RequestBudget {
  private readonly cfg: RequestBudgetConfig;
  private readonly ratePerMs: number;
  private tokens: number;
  private refilledAt: number;
  private day: string;
  private used = 0;

  constructor(
    private readonly clock: Clock,
    cfg: RequestBudgetConfig,
  ) {
    if (!(cfg.perMinute > 0)) throw new RangeError('perMinute must be > 0 (Infinity for no limit)');
    if (!(cfg.perDay > 0)) throw new RangeError('perDay must be > 0 (Infinity for no cap)');
    if (!(cfg.costPerRequestUsd >= 0)) throw new RangeError('costPerRequestUsd must be ≥ 0');
    this.cfg = { ...cfg };
    this.ratePerMs = cfg.perMinute / MS_PER_MINUTE;
    const now = clock.now();
    this.tokens = cfg.perMinute;
    this.refilledAt = now;
    this.day = nyDateKey(now);
  }

  private refresh(): number {
    const now = this.clock.now();
    if (Number.isFinite(this.cfg.perMinute)) {
      // A clock that steps back (NTP) must not drain the bucket.
      const elapsed = Math.max(0, now - this.refilledAt);
      this.tokens = Math.min(this.cfg.perMinute, this.tokens + elapsed * this.ratePerMs);
    }
    this.refilledAt = Math.max(this.refilledAt, now);
    const day = nyDateKey(now);
    if (day !== this.day) {
      this.day = day;
      this.used = 0;
    }
    return now;
  }

  /** Milliseconds from now to the next midnight in New York, when the daily cap resets. */
  msUntilDailyReset(): number {
    const now = this.clock.now();
    const p = toNewYork(now);
    return fromNewYork(p.year, p.month, p.day + 1) - now;
  }

  /** Takes one request from the budget, or says why not and how long until one is available. */
  tryTake(): BudgetTake {
    this.refresh();
    if (this.used >= this.cfg.perDay) {
      const retryAfterMs = this.msUntilDailyReset();
      return {
        ok: false,
        kind: 'throttled',
        reason: `daily budget of ${this.cfg.perDay} requests used; resets at midnight New York time`,
        retryAfterMs,
      };
    }
    if (this.tokens < 1 - EPS) {
      const retryAfterMs = Math.ceil((1 - this.tokens) / this.ratePerMs);
      return {
        ok: false,
        kind: 'throttled',
        reason: `per-minute budget of ${this.cfg.perMinute} requests used`,
        retryAfterMs,
      };
    }
    if (Number.isFinite(this.tokens)) this.tokens = Math.max(0, this.tokens - 1);
    this.used++;
    return { ok: true };
  }

  usedToday(): number {
    this.refresh();
    return this.used;
  }

  cap(): { perMinute: number; perDay: number } {
    return { perMinute: this.cfg.perMinute, perDay: this.cfg.perDay };
  }

  /** Requests left today (Infinity without a daily cap); ignores the per-minute bucket. */
  remainingToday(): number {
    this.refresh();
    return Math.max(0, this.cfg.perDay - this.used);
  }

  costTodayUsd(): number {
    return this.usedToday() * this.cfg.costPerRequestUsd;
  }

  /** Today's spend divided by the quotes served with it; null when none were served. */
  costPerQuoteUsd(quotesServed: number): number | null {
    if (!(quotesServed > 0)) return null;
    return this.costTodayUsd() / quotesServed;
  }

  /**
   * Interval between polls on this budget: at least `baseMs`, never faster than the bucket's
   * sustained rate, and stretched so the requests left today last until the session ends (or
   * the daily reset, if that comes first). When today's budget is spent, the wait to the reset.
   * It is the cadence of requests on the whole budget: polling k symbols, each gets k × this.
   */
  pollIntervalMs(baseMs: number, msLeftInSession: number): number {
    let interval = Math.max(0, baseMs);
    if (Number.isFinite(this.cfg.perMinute)) interval = Math.max(interval, 1 / this.ratePerMs);
    const remaining = this.remainingToday();
    if (remaining === 0) return Math.max(Math.ceil(interval), this.msUntilDailyReset());
    if (Number.isFinite(remaining) && msLeftInSession > 0) {
      const horizon = Math.min(msLeftInSession, this.msUntilDailyReset());
      interval = Math.max(interval, horizon / remaining);
    }
    return Math.ceil(interval);
  }
}
