/**
 * Replay today: the day's stored 1-minute bars of the watched symbols go through the backtester
 * (the same pipeline, under a simulated clock), and its orders are matched against the orders the
 * engine filled today in shadow and live. The parity report says, per symbol, how many decisions
 * both made, how far apart their prices were, and which decisions only one side made.
 *
 * A decision is an order: partial fills are merged at their VWAP and stamped with the first fill.
 * Orders match greedily in time order on (symbol, side) within TOLERANCE_MS: a live fill lands a
 * moment after the bar close that decided it, a replay fill at the next bar's open.
 */
import type { Fill, ParityReport, ParitySide, ParitySymbol } from '../../shared/domain';
import type { Clock } from '../clock';
import { fromNewYork, nyDateKey } from '../time/newYork';
import type { BacktestParamsInput } from './params';
import type { BacktestFill } from './result';
import type { WorkerOutcome } from './worker';

const MINUTE = 60_000;
export const TOLERANCE_MS = 2 * MINUTE;

/** One decision: an order's fills merged. */
export interface ParityOrder {
  symbol: string;
  side: 'BUY' | 'SELL';
  qty: number;
  /** VWAP of the order's fills. */
  price: number;
  /** The first fill's time. */
  ts: number;
}

type AnyFill = Pick<BacktestFill, 'clientOrderId' | 'symbol' | 'side' | 'quantity' | 'price' | 'ts'>;

/** Fills → one ParityOrder per clientOrderId, oldest first. */
export function ordersFromFills(fills: readonly AnyFill[]): ParityOrder[] {
  const by = new Map<string, { o: ParityOrder; notional: number }>();
  for (const f of fills) {
    const cur = by.get(f.clientOrderId);
    if (!cur) {
      by.set(f.clientOrderId, {
        o: { symbol: f.symbol, side: f.side, qty: f.quantity, price: f.price, ts: f.ts },
        notional: f.quantity * f.price,
      });
      continue;
    }
    cur.o.qty += f.quantity;
    cur.notional += f.quantity * f.price;
    cur.o.price = cur.notional / cur.o.qty;
    cur.o.ts = Math.min(cur.o.ts, f.ts);
  }
  return [...by.values()].map((x) => x.o).sort((a, b) => a.ts - b.ts);
}

/** Matches one symbol's replay orders with the actual ones. Positive bps: the actual order did worse. */
export function matchOrders(
  replay: readonly ParityOrder[],
  actual: readonly ParityOrder[],
  toleranceMs = TOLERANCE_MS,
): ParitySide {
  const used = new Array<boolean>(actual.length).fill(false);
  let matched = 0;
  let diffSum = 0;
  for (const r of replay) {
    let best = -1;
    for (let i = 0; i < actual.length; i++) {
      const a = actual[i]!;
      if (used[i] || a.side !== r.side || Math.abs(a.ts - r.ts) > toleranceMs) continue;
      if (best < 0 || Math.abs(a.ts - r.ts) < Math.abs(actual[best]!.ts - r.ts)) best = i;
    }
    if (best < 0) continue;
    used[best] = true;
    matched++;
    const a = actual[best]!;
    const sign = r.side === 'BUY' ? 1 : -1;
    diffSum += (sign * (a.price - r.price) * 10_000) / r.price;
  }
  return {
    fills: actual.length,
    matched,
    avgPriceDiffBps: matched > 0 ? diffSum / matched : null,
    missing: replay.length - matched,
    extra: actual.length - matched,
  };
}

/** Per symbol: the replay's orders against the shadow and the live orders of the day. */
export function parityBySymbol(
  symbols: readonly { symbol: string; bars: number }[],
  replayFills: readonly AnyFill[],
  actualFills: readonly Pick<Fill, 'clientOrderId' | 'symbol' | 'side' | 'quantity' | 'price' | 'ts' | 'mode'>[],
  toleranceMs = TOLERANCE_MS,
): ParitySymbol[] {
  return symbols.map(({ symbol, bars }) => {
    const replay = ordersFromFills(replayFills.filter((f) => f.symbol === symbol));
    const of = (mode: 'shadow' | 'live') =>
      ordersFromFills(actualFills.filter((f) => f.symbol === symbol && f.mode === mode));
    return {
      symbol,
      bars,
      replayFills: replay.length,
      shadow: matchOrders(replay, of('shadow'), toleranceMs),
      live: matchOrders(replay, of('live'), toleranceMs),
    };
  });
}

export interface ReplayTodayDeps {
  clock: Clock;
  dataDir: string;
  /** The watched symbols. */
  symbols: () => string[];
  /** Stored 1m bars of a symbol in [from, to). */
  countBars: (symbol: string, from: number, to: number) => number;
  /** The engine's shadow and live fills (any day; filtered here). */
  fills: () => Fill[];
  /** Runs the backtest (the worker in the engine). */
  run: (params: BacktestParamsInput) => Promise<WorkerOutcome>;
  /** The live gate's settings, so the replay decides as the engine did. */
  threshold?: number;
  cooldownMs?: number;
}

/** The New York day of `now` as [start of day, the current minute): the minutes that can have closed bars. */
export function todayRange(now: number): { day: string; from: number; to: number } {
  const day = nyDateKey(now);
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return { day, from: fromNewYork(y, m, d), to: Math.floor(now / MINUTE) * MINUTE };
}

export async function replayToday(deps: ReplayTodayDeps): Promise<ParityReport> {
  const now = deps.clock.now();
  const { day, from, to } = todayRange(now);
  const notes: string[] = [];
  const counted = deps.symbols().map((symbol) => ({ symbol, bars: to > from ? deps.countBars(symbol, from, to) : 0 }));
  const withBars = counted.filter((s) => s.bars > 0);
  for (const s of counted) if (s.bars === 0) notes.push(`${s.symbol}: no stored 1m bars today`);
  const actual = deps.fills().filter((f) => f.ts >= from && f.ts < to + MINUTE);
  let replayFills: BacktestFill[] = [];
  let fillModel = 'none (nothing to replay)';
  if (withBars.length > 0) {
    const outcome = await deps.run({
      source: { kind: 'sqlite', dataDir: deps.dataDir },
      symbols: withBars.map((s) => s.symbol),
      interval: '1m',
      from,
      to,
      // Today's bars have holes (start-up, provider outages): parity is still worth reading.
      allowGaps: true,
      ...(deps.threshold !== undefined ? { threshold: deps.threshold } : {}),
      ...(deps.cooldownMs !== undefined ? { cooldownMs: deps.cooldownMs } : {}),
    });
    if (outcome.status !== 'done') throw new Error('the replay was cancelled');
    replayFills = outcome.result.fills;
    fillModel = outcome.result.fillModel.name;
    if (outcome.result.gaps.length > 0) {
      const missing = outcome.result.gaps.reduce((n, g) => n + g.missingBars, 0);
      notes.push(`${missing} regular-session minute(s) missing today: decisions near them may differ`);
    }
    notes.push(
      'the replay starts flat and cold at midnight New York: early decisions wait for the features to warm up',
    );
  }
  return {
    day,
    generatedAt: now,
    toleranceMs: TOLERANCE_MS,
    fillModel,
    symbols: parityBySymbol(withBars, replayFills, actual),
    notes,
  };
}
