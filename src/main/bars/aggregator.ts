/**
 * Builds 1-minute bars from trades, one aggregator per engine for any number of symbols.
 *
 * Closing. A bar covers [ts, ts + 60 s) and closes when the Clock reaches ts + 60 s: on `onClock`
 * (the engine calls it on a short timer), or earlier in the same call when a trade or provider bar
 * for that symbol arrives and finds the minute over. No later trade is needed. Minutes without
 * trades produce no bar; gap detection tells closed time from missing data with the calendar.
 *
 * Ordering. Within a minute, open is the price of the earliest-stamped trade and close the price of
 * the latest-stamped one, whatever order they arrive in; on equal timestamps, open keeps the first
 * arrival and close takes the last. High, low, volume, VWAP (Σ price·size / Σ size) and the trade
 * count do not depend on order.
 *
 * Lateness is measured by the Clock against the end of the trade's minute (not against when the
 * timer happened to close it), so the outcome does not depend on timer jitter:
 *   - minute still running: the trade is added to the open bar;
 *   - minute ended at most `graceMs` ago (default 2 s): the trade amends the closed bar (status
 *     `amended`, event `amended` with the previous version). If that minute had no bar yet, the
 *     trade builds one that closes at once (event `closed`, status `live`);
 *   - later than that: dropped and counted (`tooLate`); history is never rewritten.
 *
 * Bad input is dropped and counted, never folded into a bar:
 *   - `invalid`: missing or empty symbol; ts not a non-negative integer (NaN, null); price or size
 *     NaN, null, infinite, zero or negative (zero-size prints are dropped too);
 *   - `future`: ts more than `futureToleranceMs` (default 2 s) ahead of the Clock;
 *   - `duplicates`: a trade id already seen in a bar that can still change (open or in grace).
 *     Ids are forgotten once their bar can no longer change: a repeat after that is `tooLate`.
 *
 * Provider bars (Polygon AM, Alpaca `b`, IBKR real-time bars rolled up to minutes) are preferred
 * over ours. Each is checked (finite, positive prices, low ≤ open, close ≤ high, volume ≥ 0, minute
 * aligned, not for a minute that has not ended yet; vw and n may be absent or null, never NaN) or
 * rejected and counted (`providerBarsRejected`). An accepted one closes our bar of that minute if
 * still open, and emits `reconciled` with our bar (null if we built none), the provider's and the
 * per-field difference (provider minus built). From then on the minute belongs to the provider:
 * late trades still update our copy (for later diffs) but emit nothing (`lateUnderProvider`), so
 * our version can never overwrite theirs in the store.
 *
 * Memory is bounded: per symbol only the open bar(s) and bars closed within the last
 * max(graceMs, reconcileWindowMs) are kept, and trade ids only while their bar can still change.
 * The trade path allocates nothing but the id's Set entry; buckets are pooled.
 */
import type { Bar, Trade } from '../../shared/domain';
import type { Clock } from '../clock';
import { isValidMinuteBar, storedFromProvider } from './providerBar';
import type { StoredBar } from './types';

const MINUTE = 60_000;

export interface AggregatorConfig {
  /** A trade this long after its minute ended still amends the bar (default 2000 ms). */
  graceMs: number;
  /** Trades stamped further than this ahead of the Clock are refused (default 2000 ms). */
  futureToleranceMs: number;
  /**
   * Closed bars are kept this long after their minute ended so a provider's bar for the same
   * minute (IBKR's arrives ~5 s after, when the next 5-second bar begins) can be compared with
   * ours (default 15,000 ms). Does not extend the grace window.
   */
  reconcileWindowMs: number;
}

export const DEFAULT_AGGREGATOR_CONFIG: AggregatorConfig = {
  graceMs: 2000,
  futureToleranceMs: 2000,
  reconcileWindowMs: 15_000,
};

export interface AggregatorCounters {
  /** Trades accepted into a bar (including late ones). */
  trades: number;
  /** Late trades, within grace, that amended a closed bar. */
  lateAmended: number;
  /** Late trades, within grace, for a minute that had no bar yet: built and closed at once. */
  lateNewBar: number;
  /** Late trades, within grace, for a minute a provider bar already owns: kept in our copy, not emitted. */
  lateUnderProvider: number;
  /** Trades whose minute ended more than graceMs ago: dropped. */
  tooLate: number;
  duplicates: number;
  future: number;
  invalid: number;
  /** Provider bars accepted. */
  providerBars: number;
  providerBarsRejected: number;
  /** Accepted provider bars for a minute we built too, by whether any of o, h, l, c, v differed. */
  providerMatched: number;
  providerMismatched: number;
  /** Accepted provider bars for a minute we built nothing for (or no longer remember). */
  providerOnly: number;
}

export interface BarFieldDiff {
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  /** null when either side does not know it. */
  vw: number | null;
  n: number | null;
}

export interface BarDiff {
  symbol: string;
  ts: number;
  built: StoredBar | null;
  provider: StoredBar;
  /** provider minus built, per field; null when we built nothing for that minute. */
  diff: BarFieldDiff | null;
}

export interface AggregatorListener {
  closed(bar: StoredBar): void;
  amended(bar: StoredBar, previous: StoredBar): void;
  reconciled(d: BarDiff): void;
}

/** One minute of one symbol, open or recently closed. Pooled and reused. */
interface Bucket {
  ts: number;
  end: number;
  closed: boolean;
  /** A provider bar owns this minute: our versions are no longer emitted. */
  providerTaken: boolean;
  o: number;
  oTs: number;
  h: number;
  l: number;
  c: number;
  cTs: number;
  v: number;
  pv: number;
  n: number;
  /** Ids of the trades in this bucket, kept while the bar can still change. */
  ids: Set<string>;
  /** The version last emitted; null before the first close. */
  bar: StoredBar | null;
}

interface SymbolState {
  symbol: string;
  /** Ascending by ts; a handful at most. */
  buckets: Bucket[];
}

/** Relative tolerance under which a provider field counts as equal to ours. */
const MATCH_EPS = 1e-9;

export class BarAggregator {
  readonly counters: AggregatorCounters = {
    trades: 0,
    lateAmended: 0,
    lateNewBar: 0,
    lateUnderProvider: 0,
    tooLate: 0,
    duplicates: 0,
    future: 0,
    invalid: 0,
    providerBars: 0,
    providerBarsRejected: 0,
    providerMatched: 0,
    providerMismatched: 0,
    providerOnly: 0,
  };
  private readonly cfg: AggregatorConfig;
  /** How long a closed bucket is kept after its minute ended. */
  private readonly keepMs: number;
  private readonly symbols = new Map<string, SymbolState>();
  private readonly pool: Bucket[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly listener: AggregatorListener,
    cfg: Partial<AggregatorConfig> = DEFAULT_AGGREGATOR_CONFIG,
  ) {
    this.cfg = { ...DEFAULT_AGGREGATOR_CONFIG, ...cfg };
    this.keepMs = Math.max(this.cfg.graceMs, this.cfg.reconcileWindowMs);
  }

  onTrade(t: Trade): void {
    const ts = t.ts;
    const price = t.price;
    const size = t.size;
    if (
      typeof t.symbol !== 'string' ||
      t.symbol.length === 0 ||
      !Number.isSafeInteger(ts) ||
      ts < 0 ||
      typeof price !== 'number' ||
      !(price > 0) ||
      price === Infinity ||
      typeof size !== 'number' ||
      !(size > 0) ||
      size === Infinity
    ) {
      this.counters.invalid++;
      return;
    }
    const now = this.clock.now();
    if (ts > now + this.cfg.futureToleranceMs) {
      this.counters.future++;
      return;
    }
    const st = this.state(t.symbol);
    this.closeDue(st, now);
    const minute = ts - (ts % MINUTE);
    const end = minute + MINUTE;
    if (now - end > this.cfg.graceMs) {
      this.counters.tooLate++;
      return;
    }
    const id = typeof t.id === 'string' && t.id.length > 0 ? t.id : null;
    const buckets = st.buckets;
    if (id !== null) {
      for (let i = 0; i < buckets.length; i++) {
        if (buckets[i]!.ids.has(id)) {
          this.counters.duplicates++;
          return;
        }
      }
    }
    let b = find(buckets, minute);
    if (b === null) {
      b = this.alloc(minute);
      insert(buckets, b);
      add(b, ts, price, size);
      if (id !== null) b.ids.add(id);
      this.counters.trades++;
      if (now >= end) {
        // Its minute is over but within grace, and nothing was built for it yet.
        this.counters.lateNewBar++;
        this.close(st.symbol, b, now);
      }
      return;
    }
    add(b, ts, price, size);
    if (id !== null) b.ids.add(id);
    this.counters.trades++;
    if (!b.closed) return;
    if (b.providerTaken) {
      this.counters.lateUnderProvider++;
      return;
    }
    const previous = b.bar!;
    b.bar = toStored(st.symbol, b, now, 'amended');
    this.counters.lateAmended++;
    this.listener.amended(b.bar, previous);
  }

  /** Closes every bar whose minute has ended by the Clock; the engine calls it on a short timer. */
  onClock(now = this.clock.now()): void {
    for (const st of this.symbols.values()) this.closeDue(st, now);
  }

  /**
   * A provider's own minute bar: preferred over ours, the difference recorded and `reconciled`
   * emitted. Returns the bar as it should be stored, or null when it was rejected.
   */
  onProviderBar(bar: Bar, provider: string): StoredBar | null {
    const now = this.clock.now();
    if (!isValidMinuteBar(bar) || bar.ts + MINUTE > now + this.cfg.futureToleranceMs) {
      this.counters.providerBarsRejected++;
      return null;
    }
    const st = this.state(bar.symbol);
    this.closeDue(st, now);
    let b = find(st.buckets, bar.ts);
    // The provider says the minute is over: close ours too (clocks differ a little).
    if (b !== null && !b.closed) this.close(st.symbol, b, now);
    const built = b !== null && b.n > 0 ? b.bar : null;
    if (b === null && now - (bar.ts + MINUTE) <= this.keepMs) {
      // Nothing built yet: claim the minute so a late trade cannot emit a competing bar.
      b = this.alloc(bar.ts);
      b.closed = true;
      insert(st.buckets, b);
    }
    if (b !== null) b.providerTaken = true;

    const stored = storedFromProvider(bar, provider, now, 'live');
    let diff: BarFieldDiff | null = null;
    if (built !== null) {
      diff = {
        o: stored.o - built.o,
        h: stored.h - built.h,
        l: stored.l - built.l,
        c: stored.c - built.c,
        v: stored.v - built.v,
        vw: stored.vw !== null && built.vw !== null ? stored.vw - built.vw : null,
        n: stored.n !== null && built.n !== null ? stored.n - built.n : null,
      };
      const same =
        near(stored.o, built.o) &&
        near(stored.h, built.h) &&
        near(stored.l, built.l) &&
        near(stored.c, built.c) &&
        near(stored.v, built.v);
      if (same) this.counters.providerMatched++;
      else this.counters.providerMismatched++;
    } else {
      this.counters.providerOnly++;
    }
    this.counters.providerBars++;
    this.listener.reconciled({ symbol: bar.symbol, ts: bar.ts, built, provider: stored, diff });
    return stored;
  }

  /**
   * The bar still forming for a symbol (its minute not closed yet), as it would be stored if it
   * closed now; null when none is open or a provider bar already owns that minute. Read-only: the
   * chart uses it so the live candle moves with each trade.
   */
  forming(symbol: string): StoredBar | null {
    const buckets = this.symbols.get(symbol)?.buckets;
    if (buckets === undefined) return null;
    for (let i = buckets.length - 1; i >= 0; i--) {
      const b = buckets[i]!;
      if (!b.closed && b.n > 0 && !b.providerTaken) return toStored(symbol, b, this.clock.now(), 'live');
    }
    return null;
  }

  /** Bars held in memory, all symbols: open ones plus those kept for grace and reconciliation. */
  get heldBars(): number {
    let n = 0;
    for (const st of this.symbols.values()) n += st.buckets.length;
    return n;
  }

  private state(symbol: string): SymbolState {
    let st = this.symbols.get(symbol);
    if (st === undefined) {
      st = { symbol, buckets: [] };
      this.symbols.set(symbol, st);
    }
    return st;
  }

  private closeDue(st: SymbolState, now: number): void {
    const buckets = st.buckets;
    let expired = 0;
    for (let i = 0; i < buckets.length; i++) {
      const b = buckets[i]!;
      if (!b.closed) {
        if (now < b.end) continue;
        this.close(st.symbol, b, now);
      }
      const since = now - b.end;
      if (since > this.keepMs) {
        // Buckets are in ts order and an open one ends after now, so the expired ones are a prefix.
        if (i === expired) expired++;
      } else if (since > this.cfg.graceMs && b.ids.size > 0) {
        b.ids.clear();
      }
    }
    if (expired > 0) {
      for (let i = 0; i < expired; i++) this.release(buckets[i]!);
      buckets.copyWithin(0, expired);
      buckets.length -= expired;
    }
  }

  private close(symbol: string, b: Bucket, now: number): void {
    b.closed = true;
    if (b.n === 0 || b.providerTaken) return;
    b.bar = toStored(symbol, b, now, 'live');
    this.listener.closed(b.bar);
  }

  private alloc(minute: number): Bucket {
    const b = this.pool.pop() ?? newBucket();
    b.ts = minute;
    b.end = minute + MINUTE;
    b.closed = false;
    b.providerTaken = false;
    b.n = 0;
    b.v = 0;
    b.pv = 0;
    b.bar = null;
    return b;
  }

  private release(b: Bucket): void {
    b.ids.clear();
    b.bar = null;
    if (this.pool.length < 64) this.pool.push(b);
  }
}

function newBucket(): Bucket {
  return {
    ts: 0,
    end: 0,
    closed: false,
    providerTaken: false,
    o: 0,
    oTs: 0,
    h: 0,
    l: 0,
    c: 0,
    cTs: 0,
    v: 0,
    pv: 0,
    n: 0,
    ids: new Set(),
    bar: null,
  };
}

function find(buckets: Bucket[], minute: number): Bucket | null {
  for (let i = buckets.length - 1; i >= 0; i--) {
    const b = buckets[i]!;
    if (b.ts === minute) return b;
    if (b.ts < minute) return null;
  }
  return null;
}

function insert(buckets: Bucket[], b: Bucket): void {
  let i = buckets.length;
  buckets.push(b);
  while (i > 0 && buckets[i - 1]!.ts > b.ts) {
    buckets[i] = buckets[i - 1]!;
    i--;
  }
  buckets[i] = b;
}

function add(b: Bucket, ts: number, price: number, size: number): void {
  if (b.n === 0) {
    b.o = b.h = b.l = b.c = price;
    b.oTs = b.cTs = ts;
  } else {
    if (ts < b.oTs) {
      b.o = price;
      b.oTs = ts;
    }
    if (ts >= b.cTs) {
      b.c = price;
      b.cTs = ts;
    }
    if (price > b.h) b.h = price;
    if (price < b.l) b.l = price;
  }
  b.v += size;
  b.pv += price * size;
  b.n++;
}

function toStored(symbol: string, b: Bucket, asOf: number, status: StoredBar['status']): StoredBar {
  return {
    symbol,
    interval: '1m',
    ts: b.ts,
    o: b.o,
    h: b.h,
    l: b.l,
    c: b.c,
    v: b.v,
    vw: b.v > 0 ? b.pv / b.v : null,
    n: b.n,
    provider: 'built',
    asOf,
    status,
  };
}

function near(a: number, b: number): boolean {
  return Math.abs(a - b) <= MATCH_EPS * Math.max(1, Math.abs(a), Math.abs(b));
}
