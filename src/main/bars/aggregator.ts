/**
 * Builds 1-minute bars from trades. A bar closes on the minute boundary by the Clock, even when no
 * later trade arrives. Late trades inside the grace window amend the closed bar; later ones, future
 * timestamps, duplicates and bad fields are dropped and counted. Never does bad input corrupt a bar.
 * When a provider streams its own minute bar, it is preferred and the difference is recorded.
 */
import type { Bar, Trade } from '../../shared/domain';
import type { Clock } from '../clock';
import type { StoredBar } from './types';

const MINUTE = 60_000;

export interface AggregatorConfig {
  /** Trades this late after a bar closed still amend it. */
  graceMs: number;
  /** Trades stamped further than this in the future are refused. */
  futureToleranceMs: number;
  /** Remembered trade ids per symbol, for duplicate detection. */
  dedupeWindow: number;
}

export const DEFAULT_AGGREGATOR_CONFIG: AggregatorConfig = {
  graceMs: 2000,
  futureToleranceMs: 2000,
  dedupeWindow: 4096,
};

export interface AggregatorCounters {
  trades: number;
  lateAmended: number;
  tooLate: number;
  duplicates: number;
  future: number;
  invalid: number;
  providerBars: number;
  providerBarsRejected: number;
}

export interface BarDiff {
  symbol: string;
  ts: number;
  built: StoredBar | null;
  provider: StoredBar;
  /** provider minus built, per field; null when we built nothing for that minute. */
  diff: { o: number; h: number; l: number; c: number; v: number } | null;
}

export interface AggregatorListener {
  closed(bar: StoredBar): void;
  amended(bar: StoredBar, previous: StoredBar): void;
  reconciled(d: BarDiff): void;
}

interface Building {
  ts: number;
  o: number;
  oTs: number;
  h: number;
  l: number;
  c: number;
  cTs: number;
  v: number;
  pv: number;
  n: number;
}

interface SymbolState {
  open: Building | null;
  /** Bars closed within the grace window, by minute. */
  recent: Map<number, { bar: StoredBar; b: Building; closedAt: number }>;
  ids: Set<string>;
  idOrder: string[];
  /** The newest minute already closed: nothing may open a bar at or before it again. */
  lastClosed: number;
}

export class BarAggregator {
  readonly counters: AggregatorCounters = {
    trades: 0,
    lateAmended: 0,
    tooLate: 0,
    duplicates: 0,
    future: 0,
    invalid: 0,
    providerBars: 0,
    providerBarsRejected: 0,
  };
  private readonly symbols = new Map<string, SymbolState>();

  constructor(
    private readonly clock: Clock,
    private readonly listener: AggregatorListener,
    private readonly cfg: AggregatorConfig = DEFAULT_AGGREGATOR_CONFIG,
  ) {}

  onTrade(t: Trade): void {
    const now = this.clock.now();
    if (!Number.isFinite(t.price) || t.price <= 0 || !Number.isFinite(t.size) || t.size < 0 || !Number.isFinite(t.ts)) {
      this.counters.invalid++;
      return;
    }
    if (t.ts > now + this.cfg.futureToleranceMs) {
      this.counters.future++;
      return;
    }
    const st = this.state(t.symbol);
    if (t.id !== undefined) {
      if (st.ids.has(t.id)) {
        this.counters.duplicates++;
        return;
      }
      st.ids.add(t.id);
      st.idOrder.push(t.id);
      if (st.idOrder.length > this.cfg.dedupeWindow) st.ids.delete(st.idOrder.shift()!);
    }
    this.closeDue(t.symbol, st, now);
    const minute = Math.floor(t.ts / MINUTE) * MINUTE;
    const late = st.recent.get(minute);
    if (late) {
      if (now - late.closedAt > this.cfg.graceMs) {
        this.counters.tooLate++;
        return;
      }
      add(late.b, t);
      const previous = late.bar;
      late.bar = toStored(t.symbol, late.b, now, 'amended');
      this.counters.lateAmended++;
      this.counters.trades++;
      this.listener.amended(late.bar, previous);
      return;
    }
    if ((st.open && minute < st.open.ts) || minute <= st.lastClosed) {
      // Its minute has closed and the grace window has passed: amending now would rewrite history.
      this.counters.tooLate++;
      return;
    }
    if (st.open && minute > st.open.ts) this.close(t.symbol, st, now);
    if (!st.open) st.open = start(minute, t);
    else add(st.open, t);
    this.counters.trades++;
  }

  /** Closes every bar whose minute has ended; the engine calls it on a short timer. */
  onClock(now = this.clock.now()): void {
    for (const [symbol, st] of this.symbols) this.closeDue(symbol, st, now);
  }

  /** A provider's own minute bar (Polygon AM, Alpaca b, IBKR): preferred over ours, difference recorded. */
  onProviderBar(bar: Bar, provider: string): StoredBar | null {
    const fields = [bar.o, bar.h, bar.l, bar.c, bar.v];
    if (
      !fields.every((x) => typeof x === 'number' && Number.isFinite(x)) ||
      bar.h < bar.l ||
      bar.v < 0 ||
      bar.ts % MINUTE !== 0
    ) {
      this.counters.providerBarsRejected++;
      return null;
    }
    const now = this.clock.now();
    const st = this.state(bar.symbol);
    this.closeDue(bar.symbol, st, now);
    const recent = st.recent.get(bar.ts);
    const built = recent?.bar ?? null;
    const stored: StoredBar = {
      symbol: bar.symbol,
      interval: '1m',
      ts: bar.ts,
      o: bar.o,
      h: bar.h,
      l: bar.l,
      c: bar.c,
      v: bar.v,
      vw: bar.vw ?? null,
      n: bar.n ?? null,
      provider,
      asOf: now,
      status: 'live',
    };
    this.counters.providerBars++;
    this.listener.reconciled({
      symbol: bar.symbol,
      ts: bar.ts,
      built,
      provider: stored,
      diff: built
        ? { o: bar.o - built.o, h: bar.h - built.h, l: bar.l - built.l, c: bar.c - built.c, v: bar.v - built.v }
        : null,
    });
    return stored;
  }

  private state(symbol: string): SymbolState {
    let st = this.symbols.get(symbol);
    if (!st)
      this.symbols.set(
        symbol,
        (st = { open: null, recent: new Map(), ids: new Set(), idOrder: [], lastClosed: -Infinity }),
      );
    return st;
  }

  private closeDue(symbol: string, st: SymbolState, now: number): void {
    if (st.open && now >= st.open.ts + MINUTE) this.close(symbol, st, now);
    for (const [m, r] of st.recent) if (now - r.closedAt > this.cfg.graceMs) st.recent.delete(m);
  }

  private close(symbol: string, st: SymbolState, now: number): void {
    const b = st.open!;
    st.open = null;
    st.lastClosed = Math.max(st.lastClosed, b.ts);
    const bar = toStored(symbol, b, now, 'live');
    st.recent.set(b.ts, { bar, b, closedAt: now });
    this.listener.closed(bar);
  }
}

function start(minute: number, t: Trade): Building {
  return {
    ts: minute,
    o: t.price,
    oTs: t.ts,
    h: t.price,
    l: t.price,
    c: t.price,
    cTs: t.ts,
    v: t.size,
    pv: t.price * t.size,
    n: 1,
  };
}

/** Open and close follow trade time, not arrival order, so an out-of-order trade lands right. */
function add(b: Building, t: Trade): void {
  if (t.ts < b.oTs) {
    b.o = t.price;
    b.oTs = t.ts;
  }
  if (t.ts >= b.cTs) {
    b.c = t.price;
    b.cTs = t.ts;
  }
  if (t.price > b.h) b.h = t.price;
  if (t.price < b.l) b.l = t.price;
  b.v += t.size;
  b.pv += t.price * t.size;
  b.n++;
}

function toStored(symbol: string, b: Building, asOf: number, status: StoredBar['status']): StoredBar {
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
