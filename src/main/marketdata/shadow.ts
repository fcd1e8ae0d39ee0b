/**
 * Shadow comparison: a candidate provider's prices are compared with the active provider's, to
 * earn (or lose) promotion. Shadow data must never feed decisions, so this class keeps private
 * copies of the numbers it needs (no references to the events it was given) and exposes only
 * aggregate statistics: nothing a consumer could read as a price.
 *
 * Each shadow event (trade price, quote mid, or bar close) is compared with the latest active
 * price of the same symbol, whichever event type that came from, if the two are within
 * `maxSkewMs` of each other by event time. A bar's price is its close, dated at the end of the
 * bar (open time + barMs). The difference is |shadow − active| / active in basis points; a
 * mismatch is a difference strictly greater than `mismatchBps`. Comparisons are counted over a
 * sliding window (default 30 minutes) of local clock time.
 */
import type { Clock } from '../clock';
import type { ProviderName } from '../../shared/domain';
import type { MarketEvent } from './provider';
import { DEFAULT_WINDOW_MS, TimeWindowCounter, TimeWindowSamples } from './stats';

export interface ShadowConfig {
  /** Difference above which a comparison is a mismatch, in bps. Default 10 (0.1 %). */
  mismatchBps: number;
  /** Compare only prices whose event times are at most this far apart. Default 2 000 ms. */
  maxSkewMs: number;
  windowMs: number;
  /** Length of provider-built bars, to date a bar's close. Default 60 000 ms. */
  barMs: number;
}

export const DEFAULT_SHADOW_CONFIG: ShadowConfig = {
  mismatchBps: 10,
  maxSkewMs: 2000,
  windowMs: DEFAULT_WINDOW_MS,
  barMs: 60_000,
};

export interface ShadowStats {
  comparisons: number;
  mismatches: number;
  /** mismatches / comparisons; null when there were no comparisons. */
  mismatchRate: number | null;
  meanAbsDiffBps: number | null;
  /** p95 of |shadow event time − active event time| over the comparisons made. */
  p95SkewMs: number | null;
  /** Shadow prices not compared because no active price was within maxSkewMs. */
  skipped: number;
}

interface Point {
  price: number;
  ts: number;
}

interface ProviderStats {
  counts: TimeWindowCounter<'comparisons' | 'mismatches' | 'skipped'>;
  diffBps: TimeWindowSamples;
  skewMs: TimeWindowSamples;
}

function pricePoint(e: MarketEvent, barMs: number): Point | null {
  let price: number;
  let ts: number;
  switch (e.type) {
    case 'trade':
      price = e.trade.price;
      ts = e.trade.ts;
      break;
    case 'quote':
      price = (e.quote.bid + e.quote.ask) / 2;
      ts = e.quote.ts;
      if (!(e.quote.bid > 0 && e.quote.ask > 0)) return null;
      break;
    case 'bar':
      price = e.bar.c;
      ts = e.bar.ts + barMs;
      break;
  }
  if (!Number.isFinite(price) || price <= 0 || !Number.isFinite(ts)) return null;
  return { price, ts };
}

export class ShadowComparator {
  readonly #clock: Clock;
  readonly #cfg: ShadowConfig;
  readonly #active = new Map<string, Point>();
  readonly #stats = new Map<ProviderName, ProviderStats>();

  constructor(clock: Clock, cfg: Partial<ShadowConfig> = {}) {
    this.#clock = clock;
    this.#cfg = { ...DEFAULT_SHADOW_CONFIG, ...cfg };
  }

  /** The active provider's event, as delivered to consumers. */
  observeActive(e: MarketEvent): void {
    const p = pricePoint(e, this.#cfg.barMs);
    if (p === null) return;
    const symbol = symbolOf(e);
    const prev = this.#active.get(symbol);
    // Keep the latest by event time; a late out-of-order event does not replace a newer price.
    if (prev !== undefined && prev.ts > p.ts) return;
    this.#active.set(symbol, p);
  }

  observeShadow(provider: ProviderName, e: MarketEvent): void {
    const p = pricePoint(e, this.#cfg.barMs);
    if (p === null) return;
    const s = this.#statsFor(provider);
    const active = this.#active.get(symbolOf(e));
    const skew = active === undefined ? Infinity : Math.abs(p.ts - active.ts);
    if (active === undefined || skew > this.#cfg.maxSkewMs) {
      s.counts.add('skipped');
      return;
    }
    const diff = Math.abs(p.price - active.price);
    s.counts.add('comparisons');
    // diff / active > mismatchBps / 10 000, multiplied out so an exact boundary stays exact.
    if (diff * 10_000 > this.#cfg.mismatchBps * active.price) s.counts.add('mismatches');
    s.diffBps.add((diff / active.price) * 10_000);
    s.skewMs.add(skew);
  }

  stats(provider: ProviderName): ShadowStats {
    const s = this.#stats.get(provider);
    if (s === undefined) {
      return { comparisons: 0, mismatches: 0, mismatchRate: null, meanAbsDiffBps: null, p95SkewMs: null, skipped: 0 };
    }
    const comparisons = s.counts.get('comparisons');
    const mismatches = s.counts.get('mismatches');
    return {
      comparisons,
      mismatches,
      mismatchRate: comparisons === 0 ? null : mismatches / comparisons,
      meanAbsDiffBps: s.diffBps.mean(),
      p95SkewMs: s.skewMs.percentile(95),
      skipped: s.counts.get('skipped'),
    };
  }

  #statsFor(provider: ProviderName): ProviderStats {
    let s = this.#stats.get(provider);
    if (s === undefined) {
      const window = { windowMs: this.#cfg.windowMs };
      s = {
        counts: new TimeWindowCounter(this.#clock, window),
        diffBps: new TimeWindowSamples(this.#clock, { ...window, maxSamples: 2048 }),
        skewMs: new TimeWindowSamples(this.#clock, { ...window, maxSamples: 2048 }),
      };
      this.#stats.set(provider, s);
    }
    return s;
  }
}

function symbolOf(e: MarketEvent): string {
  return e.type === 'trade' ? e.trade.symbol : e.type === 'quote' ? e.quote.symbol : e.bar.symbol;
}
