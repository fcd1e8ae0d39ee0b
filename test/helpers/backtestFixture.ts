/**
 * A hand-made backtest result for report tests: two symbols of daily bars on a seeded random walk,
 * traded by a plain moving-average rule simulated here (no runner involved), with $1 per fill.
 * Deterministic: the same options give the same result.
 */
import { assembleResult } from '../../src/main/backtest/assemble';
import type {
  BacktestFill,
  BacktestOrder,
  BacktestResult,
  EquityPoint,
  PriceSeries,
} from '../../src/main/backtest/result';
import { sessionForDay, tradingDays } from '../../src/main/marketdata/calendar';

export interface FixtureOptions {
  symbols?: string[];
  from?: string;
  to?: string;
  generatedAt?: number;
  /** Daily bars by default; minute bars cover every regular minute of each day (keep the range short). */
  interval?: '1m' | '1d';
  /** Put into parameters.policy to check escaping. */
  policy?: string | null;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export function buildFixtureResult(opts: FixtureOptions = {}): BacktestResult {
  const symbols = opts.symbols ?? ['NVDA', 'MSFT'];
  const days = tradingDays(opts.from ?? '2025-01-02', opts.to ?? '2026-02-27');
  const interval = opts.interval ?? '1d';
  const ts =
    interval === '1d'
      ? days.map((d) => sessionForDay(d)!.open)
      : days.flatMap((d) => {
          const s = sessionForDay(d)!;
          return Array.from({ length: (s.close - s.open) / 60_000 }, (_, m) => s.open + m * 60_000);
        });
  const cash0 = 100_000;
  const prices: PriceSeries[] = symbols.map((symbol, k) => {
    const rnd = lcg(17 + k * 101);
    let p = 100 + k * 150;
    return {
      symbol,
      points: ts.map((t) => {
        const vol = interval === '1d' ? 0.04 : 0.004;
        p = Math.round(p * (1 + (rnd() - 0.48) * vol) * 100) / 100;
        return { ts: t, close: p };
      }),
    };
  });

  let cash = cash0;
  const pos = new Map<string, number>(symbols.map((s) => [s, 0]));
  const fills: BacktestFill[] = [];
  const orders: BacktestOrder[] = [];
  const equityCurve: EquityPoint[] = [];
  const budget = cash0 / symbols.length / 2;
  for (let i = 0; i < ts.length; i++) {
    for (const series of prices) {
      const pts = series.points;
      if (i < 12) continue;
      const close = pts[i]!.close;
      const fast = avg(pts.slice(i - 4, i + 1).map((p) => p.close));
      const slow = avg(pts.slice(i - 11, i + 1).map((p) => p.close));
      const held = pos.get(series.symbol)!;
      const want = fast > slow ? Math.floor(budget / close) : 0;
      if (want === held || (want > 0 && held > 0)) continue;
      const side = want > held ? 'BUY' : 'SELL';
      const q = Math.abs(want - held);
      const id = `bt-${orders.length + 1}`;
      const fee = 1;
      orders.push({
        clientOrderId: id,
        symbol: series.symbol,
        side,
        type: 'MKT',
        quantity: q,
        limitPrice: null,
        ts: ts[i]!,
        status: 'FILLED',
        filledQty: q,
        avgFillPrice: close,
        fees: fee,
        reason: null,
      });
      fills.push({
        execId: `x-${fills.length + 1}`,
        clientOrderId: id,
        symbol: series.symbol,
        side,
        quantity: q,
        price: close,
        fee,
        ts: ts[i]!,
      });
      cash -= (side === 'BUY' ? q : -q) * close + fee;
      pos.set(series.symbol, want);
    }
    let exposure = 0;
    for (const series of prices) exposure += Math.abs(pos.get(series.symbol)! * series.points[i]!.close);
    equityCurve.push({ ts: ts[i]!, equity: round2(cash + exposure), cash: round2(cash), exposure: round2(exposure) });
  }
  orders.push({
    clientOrderId: `bt-${orders.length + 1}`,
    symbol: symbols[0]!,
    side: 'BUY',
    type: 'LMT',
    quantity: 10,
    limitPrice: 1,
    ts: ts[Math.min(20, ts.length - 1)]!,
    status: 'REJECTED',
    filledQty: 0,
    avgFillPrice: null,
    fees: 0,
    reason: 'risk: <price band> & "limit" too far',
  });

  const first = ts[0]!;
  const last = ts[ts.length - 1]!;
  return assembleResult({
    generatedAt: opts.generatedAt ?? Date.UTC(2026, 2, 2, 12),
    parameters: {
      symbols,
      interval,
      from: first,
      to: last + (interval === '1d' ? 86_400_000 : 60_000),
      initialCash: cash0,
      riskFreeRate: 0,
      allowGaps: true,
      policy: opts.policy === undefined ? 'resources/models/default.json' : opts.policy,
      extra: { fastSma: 5, slowSma: 12, sizing: 'half of an equal split' },
    },
    dataRange: {
      source: 'dataset:fixture',
      firstBarTs: first,
      lastBarTs: last,
      bars: ts.length * symbols.length,
      barsBySymbol: Object.fromEntries(symbols.map((s) => [s, ts.length])),
    },
    fillModel: {
      name: 'same-close, 0 bps, $1 per fill',
      fillAt: 'same-close',
      slippageBps: 0,
      commission: 'none',
      partialFills: false,
      description: 'Fixture: fills at the close of the decision bar with a flat $1 fee.',
    },
    equityCurve,
    prices,
    orders,
    fills,
    gaps: ts.length > 41 ? [{ symbol: symbols[0]!, fromTs: ts[40]!, toTs: ts[41]!, missingBars: 1 }] : [],
  });
}

function avg(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
