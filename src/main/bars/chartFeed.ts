/**
 * What the chart panel reads: `getBars` answers (history from SQLite, merged with bars heard but
 * not yet written and the forming bar, aggregated to the chart interval, with gaps) and the live
 * `bars` event (1-minute updates coalesced per symbol, emitted by `flush` on the engine's 250 ms
 * timer, so at most 4 Hz per symbol).
 *
 * No write lag: bars reach SQLite once a second, so every 1m bar the recorder hands us is kept
 * here for RECENT_KEEP_MS after we heard it and laid over the stored rows. The forming bar (its
 * minute not closed yet) comes from the aggregator on each call, so the live candle moves with
 * every trade.
 */
import type { BarsUpdate, ChartBar, ChartGap, ChartHistory, ChartInterval } from '../../shared/domain';
import type { Clock } from '../clock';
import { CommandError } from '../errors';
import { countRegularMinutes, regularMinutes } from '../marketdata/calendar';
import { fromNewYork } from '../time/newYork';
import { findMinuteGaps } from './gaps';
import { aggregateBars, bucketStart, INTERVAL_MS, type AggregatedBar } from './intervals';
import type { BarInterval, StoredBar } from './types';

const MIN = 60_000;
export const DEFAULT_BARS_LIMIT = 2000;
/** Bars heard from the recorder are laid over SQLite this long (bars are written every second). */
export const RECENT_KEEP_MS = 10_000;
/** A minute can still get its bar this long after it ended (aggregator grace 2 s + close timer). */
export const SETTLE_MS = 3000;
/** Bound on gap bucket stamps per answer, so a years-long hole cannot blow up the payload. */
export const MAX_GAP_BUCKETS = 20_000;
/** The calendar's range; outside it nothing is known to be a gap. */
const CALENDAR_START = fromNewYork(2000, 1, 1);
const CALENDAR_END = fromNewYork(2031, 1, 1);

/** Bar providers that are simulated whatever feed is active now. */
const SIM_SOURCES: ReadonlySet<string> = new Set(['synthetic', 'replay']);

export interface ChartBarSource {
  range(symbol: string, interval: BarInterval, fromTs: number, toTs: number): StoredBar[];
  earliestTs(symbol: string, interval: BarInterval): number | null;
}

export interface ChartFeedDeps {
  store: ChartBarSource;
  clock: Clock;
  /** The symbol's bar still forming, or null (BarAggregator.forming). */
  forming(symbol: string): StoredBar | null;
  /** Whether the symbol's data is simulated (synthetic or replay feed). */
  isSim(symbol: string): boolean;
  emit(update: BarsUpdate): void;
}

export interface GetBarsInput {
  symbol: string;
  interval: ChartInterval;
  fromTs?: number | undefined;
  toTs?: number | undefined;
  limit?: number | undefined;
}

interface Heard {
  bar: StoredBar;
  at: number;
}

export class ChartFeed {
  /** Per symbol, by minute ts: the newest version heard, until it is surely in SQLite. */
  private readonly recent = new Map<string, Map<number, Heard>>();
  /** Per symbol, by minute ts: versions heard since the last emit. */
  private readonly dirty = new Map<string, Map<number, StoredBar>>();
  /** Per symbol: the forming bar as last emitted, to skip unchanged ones. */
  private readonly lastForming = new Map<string, StoredBar>();

  constructor(private readonly deps: ChartFeedDeps) {}

  /** The recorder's subscriber: a closed, amended or provider 1m bar. */
  onBar(bar: StoredBar): void {
    if (bar.interval !== '1m') return;
    const now = this.deps.clock.now();
    mapFor(this.recent, bar.symbol).set(bar.ts, { bar, at: now });
    mapFor(this.dirty, bar.symbol).set(bar.ts, bar);
    const formed = this.lastForming.get(bar.symbol);
    if (formed !== undefined && formed.ts === bar.ts) this.lastForming.delete(bar.symbol);
  }

  /**
   * Emits one `bars` event per symbol with anything new: bars heard since the last call and the
   * forming bar when it changed. Call on a timer; the timer's period bounds the rate.
   */
  flush(symbols: readonly string[]): void {
    const now = this.deps.clock.now();
    const all = new Set([...symbols, ...this.dirty.keys()]);
    for (const symbol of all) {
      const heard = this.dirty.get(symbol);
      const bars: ChartBar[] = [];
      if (heard !== undefined) {
        for (const b of [...heard.values()].sort((a, b) => a.ts - b.ts)) bars.push(toChartBar(b));
        this.dirty.delete(symbol);
      }
      const forming = this.deps.forming(symbol);
      if (forming !== null && !sameBar(forming, this.lastForming.get(symbol))) {
        this.lastForming.set(symbol, forming);
        bars.push(toChartBar(forming));
      }
      if (bars.length > 0) this.deps.emit({ symbol, bars });
      this.prune(symbol, now);
    }
  }

  /** Answers `getBars`: the newest `limit` bars of the window, oldest first, with gaps. */
  getBars(input: GetBarsInput): ChartHistory {
    const { symbol, interval } = input;
    const now = this.deps.clock.now();
    const limit = input.limit ?? DEFAULT_BARS_LIMIT;
    const toTs = input.toTs ?? now + MIN;
    const floor = input.fromTs ?? 0;
    if (floor >= toTs) throw new CommandError('INVALID_INPUT', 'fromTs must be before toTs');

    const recent = this.recentIn(symbol, now);
    const earliestMinute = minOf(this.deps.store.earliestTs(symbol, '1m'), recent[0]?.ts ?? null);
    const earliest =
      interval === '1d' ? minOf(earliestMinute, this.deps.store.earliestTs(symbol, '1d')) : earliestMinute;

    // Widen the window from the newest end until it holds `limit` buckets or reaches the first bar:
    // a chart never reads more minutes than it needs.
    let span = limit * INTERVAL_MS[interval];
    let fromTs: number;
    let minutes: StoredBar[];
    let daily: StoredBar[];
    let buckets: AggregatedBar[];
    for (;;) {
      fromTs = Math.max(floor, toTs - span);
      minutes = this.minutes(symbol, fromTs, toTs, recent);
      daily = interval === '1d' ? this.deps.store.range(symbol, '1d', fromTs, toTs) : [];
      buckets = aggregateBars(minutes, interval, daily);
      if (buckets.length >= limit || fromTs === floor || earliest === null || fromTs <= earliest) break;
      span *= 4;
    }
    const truncated = buckets.length > limit;
    if (truncated) buckets = buckets.slice(buckets.length - limit);

    const sources = new Set<string>();
    for (const b of minutes) sources.add(b.provider);
    if (daily.length > 0) {
      const built = new Set(minutes.map((m) => bucketStart(m.ts, '1d')));
      for (const d of daily) if (!built.has(d.ts)) sources.add(d.provider);
    }

    // Gaps: only between the first minute we have and the last minute that has surely settled.
    const settled = Math.floor((now - SETTLE_MS) / MIN) * MIN;
    const first = buckets[0];
    let gaps: ChartGap[] = [];
    if (earliestMinute !== null && first !== undefined) {
      const gapFrom = Math.max(fromTs, earliestMinute, first.ts, CALENDAR_START);
      const gapTo = Math.min(toTs, settled, CALENDAR_END);
      if (gapFrom < gapTo) {
        const ts: number[] = [];
        for (const m of minutes) if (m.ts >= gapFrom && m.ts < gapTo) ts.push(m.ts);
        gaps = findMinuteGaps(ts, gapFrom, gapTo);
      }
    }
    return {
      symbol,
      interval,
      bars: buckets.map((b) => ({ ts: b.ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, status: b.status })),
      gaps,
      gapBuckets: gapBucketsOf(gaps, interval),
      sim: this.deps.isSim(symbol) || [...sources].some((p) => SIM_SOURCES.has(p)),
      sources: [...sources].sort(),
      truncated,
    };
  }

  /** Stored minutes in [fromTs, toTs) with recent versions and the forming bar laid over them. */
  private minutes(symbol: string, fromTs: number, toTs: number, recent: readonly StoredBar[]): StoredBar[] {
    const stored = this.deps.store.range(symbol, '1m', fromTs, toTs);
    const extra = recent.filter((b) => b.ts >= fromTs && b.ts < toTs);
    const forming = this.deps.forming(symbol);
    if (forming !== null && forming.ts >= fromTs && forming.ts < toTs && !extra.some((b) => b.ts === forming.ts)) {
      extra.push(forming);
      extra.sort((a, b) => a.ts - b.ts);
    }
    if (extra.length === 0) return stored;
    // Both sorted by ts: merge, the in-memory version winning on equal ts.
    const out: StoredBar[] = [];
    let i = 0;
    for (const e of extra) {
      while (i < stored.length && stored[i]!.ts < e.ts) out.push(stored[i++]!);
      if (i < stored.length && stored[i]!.ts === e.ts) {
        // A provider's stored bar is never replaced by our own built one (same rule as the recorder).
        out.push(stored[i]!.provider !== 'built' && e.provider === 'built' ? stored[i]! : e);
        i++;
      } else out.push(e);
    }
    while (i < stored.length) out.push(stored[i++]!);
    return out;
  }

  private recentIn(symbol: string, now: number): StoredBar[] {
    this.prune(symbol, now);
    const m = this.recent.get(symbol);
    if (m === undefined) return [];
    return [...m.values()].map((h) => h.bar).sort((a, b) => a.ts - b.ts);
  }

  private prune(symbol: string, now: number): void {
    const m = this.recent.get(symbol);
    if (m === undefined) return;
    for (const [ts, h] of m) if (now - h.at > RECENT_KEEP_MS) m.delete(ts);
    if (m.size === 0) this.recent.delete(symbol);
  }
}

/** Start of every bucket holding at least one missing minute, ascending, at most MAX_GAP_BUCKETS. */
export function gapBucketsOf(gaps: readonly ChartGap[], interval: ChartInterval): number[] {
  const out: number[] = [];
  for (const g of gaps) {
    if (interval === '1m') {
      for (let m = g.fromTs; m < g.toTs && out.length < MAX_GAP_BUCKETS; m += MIN) out.push(m);
    } else {
      // Gap ranges never span closed time, but walk the calendar anyway: it is the one authority.
      if (countRegularMinutes(g.fromTs, g.toTs) === 0) continue;
      for (const m of regularMinutes(g.fromTs, g.toTs)) {
        const b = bucketStart(m, interval);
        if (out[out.length - 1] !== b) out.push(b);
        if (out.length >= MAX_GAP_BUCKETS) break;
      }
    }
    if (out.length >= MAX_GAP_BUCKETS) break;
  }
  return out;
}

function toChartBar(b: StoredBar): ChartBar {
  return { ts: b.ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, status: b.status };
}

function sameBar(a: StoredBar, b: StoredBar | undefined): boolean {
  return b !== undefined && a.ts === b.ts && a.o === b.o && a.h === b.h && a.l === b.l && a.c === b.c && a.v === b.v;
}

function mapFor<V>(maps: Map<string, Map<number, V>>, symbol: string): Map<number, V> {
  let m = maps.get(symbol);
  if (m === undefined) maps.set(symbol, (m = new Map()));
  return m;
}

function minOf(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}
