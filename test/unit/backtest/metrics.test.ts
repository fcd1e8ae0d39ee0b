/**
 * Statistics on tiny series computed by hand (the arithmetic is in the comments; the non-trivial
 * figures were checked with plain python3). Never computed by calling the code under test.
 */
import { describe, expect, it } from 'vitest';
import { assembleResult } from '../../../src/main/backtest/assemble';
import {
  benchmarkCurve,
  benchmarkStats,
  computeStatistics,
  drawdownStats,
  monthlyReturns,
  periodsPerYear,
  returnStats,
  symbolBreakdown,
  tradeStats,
  yearlyReturns,
} from '../../../src/main/backtest/metrics';
import type { BacktestFill, EquityPoint, Trade } from '../../../src/main/backtest/result';
import { tradesFromFills } from '../../../src/main/backtest/trades';
import { fromNewYork } from '../../../src/main/time/newYork';

const DAY = 86_400_000;
const T0 = Date.UTC(2025, 0, 6, 21); // any fixed instant; only differences matter here

function curve(values: number[], exposure: number[] = values.map(() => 0), step = DAY): EquityPoint[] {
  return values.map((equity, i) => ({ ts: T0 + i * step, equity, cash: equity, exposure: exposure[i]! }));
}

function trade(id: number, pnl: number, exitDay: number, extra: Partial<Trade> = {}): Trade {
  return {
    id,
    symbol: 'AAA',
    side: 'LONG',
    qty: 10,
    entryTs: T0 + (exitDay - 1) * DAY,
    exitTs: T0 + exitDay * DAY,
    entryPrice: 100,
    exitPrice: 100 + pnl / 10,
    grossPnl: pnl,
    fees: 0,
    pnl,
    return: pnl / 1000,
    durationMs: DAY,
    ...extra,
  };
}

describe('returns and risk on a known equity curve', () => {
  // Equity 100, 110, 99, 108.9, 119.79 → returns +10 %, −10 %, +10 %, +10 %.
  // mean = 0.05; deviations 0.05, −0.15, 0.05, 0.05; squares sum 0.03; sample var 0.03/3 = 0.01; sd = 0.1.
  const equity = [100, 110, 99, 108.9, 119.79];

  it('daily bars: Sharpe = 0.05/0.1·√252, vol = 0.1·√252, Sortino with downside deviation over all periods', () => {
    const s = returnStats(equity, periodsPerYear('1d'), 0, -0.1);
    expect(s.periods).toBe(4);
    expect(s.totalReturn).toBeCloseTo(0.1979, 12); // 119.79/100 − 1
    expect(s.annualVolatility).toBeCloseTo(1.587450786638755, 10); // 0.1 · 15.874507866
    expect(s.sharpe).toBeCloseTo(7.937253933193781, 10); // 0.5 · √252
    // Downside deviation = √((0.1²)/4) = 0.05 (all 4 periods in the denominator) → 1.0 · √252.
    expect(s.sortino).toBeCloseTo(15.874507866387573, 10);
    // years = 4/252; CAGR = 1.1979^(252/4) − 1 = 1.1979^63 − 1 ≈ 87194.8046.
    expect(s.years).toBeCloseTo(4 / 252, 15);
    expect(s.cagr! / 87194.8046191855).toBeCloseTo(1, 10);
    expect(s.calmar! / 871948.046191855).toBeCloseTo(1, 10); // CAGR / 0.1
  });

  it('minute bars annualise at 252 × 390 periods a year', () => {
    expect(periodsPerYear('1m')).toBe(98_280);
    const s = returnStats(equity, periodsPerYear('1m'), 0, -0.1);
    expect(s.sharpe).toBeCloseTo(156.74820573135776, 9); // 0.5 · √98280
  });

  it('the risk-free rate is taken per period, compounded: (1.05)^(1/252) − 1', () => {
    // rf = 0.000193630506544; excess mean 0.049806369; sd unchanged 0.1 → Sharpe 7.906516043.
    const s = returnStats(equity, 252, 0.05, -0.1);
    expect(s.sharpe).toBeCloseTo(7.906516043200732, 9);
    expect(s.sortino).toBeCloseTo(15.78247240513824, 9);
  });

  it('CAGR over exactly one trading year equals the total return', () => {
    // 253 marks = 252 daily periods = 1 year; 100 → 121 gives CAGR 21 %.
    const values = Array.from({ length: 253 }, (_, i) => 100 + (21 * i) / 252);
    expect(returnStats(values, 252, 0, 0).cagr).toBeCloseTo(0.21, 12);
  });
});

describe('max drawdown', () => {
  it('finds depth, peak, trough and recovery', () => {
    // Peak 110 (day 1), trough 99 (day 2): 99/110 − 1 = −10 %; 119.79 ≥ 110 on day 4.
    const d = drawdownStats(curve([100, 110, 99, 108.9, 119.79]));
    expect(d.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(d.peakTs).toBe(T0 + DAY);
    expect(d.peakEquity).toBe(110);
    expect(d.troughTs).toBe(T0 + 2 * DAY);
    expect(d.troughEquity).toBe(99);
    expect(d.recoveryTs).toBe(T0 + 4 * DAY);
    expect(d.durationMs).toBe(3 * DAY);
  });

  it('an unrecovered drawdown lasts to the last bar', () => {
    // 120 → 90: −25 %, never back to 120; peak day 1, last day 3.
    const d = drawdownStats(curve([100, 120, 90, 100]));
    expect(d.maxDrawdown).toBeCloseTo(-0.25, 12);
    expect(d.recoveryTs).toBeNull();
    expect(d.durationMs).toBe(2 * DAY);
    expect(d.longestDurationMs).toBe(2 * DAY);
  });

  it('the longest drawdown need not be the deepest', () => {
    // Deepest: 100 → 90 (−10 %), days 0–2. Longest: 101 → 95 → 96 → 102, days 3–6 (3 days, −5.94 %).
    const d = drawdownStats(curve([100, 90, 100, 101, 95, 96, 102]));
    expect(d.maxDrawdown).toBeCloseTo(-0.1, 12);
    expect(d.durationMs).toBe(2 * DAY);
    expect(d.longestDurationMs).toBe(3 * DAY);
  });
});

describe('trade statistics on a known trade list', () => {
  // Closed in this order (exit day): +100, +200, −50, −30, −20, 0, +300 (given shuffled).
  // Gross profit 600, gross loss 100 → profit factor 6. Wins 3, losses 3, scratch 1 → win rate 3/7.
  // Expectancy 500/7; average win 200; average loss −100/3. Streaks: W W L L L 0 W → 2 and 3.
  const pnls = [100, 200, -50, -30, -20, 0, 300];
  const trades = pnls.map((p, i) => trade(i, p, i + 1)).reverse();

  it('gives the profit factor, win rate, expectancy, averages, extremes and streaks', () => {
    const s = tradeStats(trades, [], curve([1000, 1000]));
    expect(s.count).toBe(7);
    expect(s.wins).toBe(3);
    expect(s.losses).toBe(3);
    expect(s.profitFactor).toBeCloseTo(6, 12);
    expect(s.winRate).toBeCloseTo(3 / 7, 12);
    expect(s.expectancy).toBeCloseTo(500 / 7, 12);
    expect(s.avgWin).toBeCloseTo(200, 12);
    expect(s.avgLoss).toBeCloseTo(-100 / 3, 12);
    expect(s.largestWin).toBe(300);
    expect(s.largestLoss).toBe(-50);
    expect(s.maxConsecutiveWins).toBe(2);
    expect(s.maxConsecutiveLosses).toBe(3);
    expect(s.avgDurationMs).toBe(DAY);
    expect(s.avgReturn).toBeCloseTo(500 / 7 / 1000, 12);
  });

  it('measures exposure as the share of periods that start in the market, and turnover on mean equity', () => {
    // Exposure at marks 0..4: 0, 50, 50, 0, 0 → periods 1..4 start at 0, 50, 50, 0 → 2/4.
    // Fills: 10 @ 100 and 10 @ 110 → notional 2100; mean equity (1000·4 + 1100)/5 = 1020.
    const fills: BacktestFill[] = [
      { execId: 'a', clientOrderId: 'o1', symbol: 'AAA', side: 'BUY', quantity: 10, price: 100, fee: 1, ts: T0 },
      { execId: 'b', clientOrderId: 'o2', symbol: 'AAA', side: 'SELL', quantity: 10, price: 110, fee: 1.5, ts: T0 },
    ];
    const s = tradeStats([], fills, curve([1000, 1000, 1000, 1000, 1100], [0, 50, 50, 0, 0]));
    expect(s.exposure).toBe(0.5);
    expect(s.tradedNotional).toBe(2100);
    expect(s.turnover).toBeCloseTo(2100 / 1020, 12);
    expect(s.fees).toBe(2.5);
  });
});

describe('round trips from fills', () => {
  const at = (d: number): number => T0 + d * DAY;
  const fill = (id: string, side: 'BUY' | 'SELL', quantity: number, price: number, fee: number, d: number) =>
    ({ execId: id, clientOrderId: id, symbol: 'AAA', side, quantity, price, fee, ts: at(d) }) satisfies BacktestFill;

  it('closes at flat, splits a reversal, and nets fees', () => {
    const trades = tradesFromFills([
      fill('1', 'BUY', 10, 100, 1, 0), // long 10 @ 100
      fill('2', 'SELL', 10, 110, 1, 1), // flat: gross +100, fees 2, pnl 98, return 98/1000
      fill('3', 'SELL', 5, 50, 1, 2), // short 5 @ 50
      fill('4', 'BUY', 10, 40, 2, 3), // covers 5 (fee 1): gross +50, fees 2, pnl 48; opens long 5 @ 40 (fee 1)
      fill('5', 'SELL', 5, 45, 1, 5), // flat: gross +25, fees 2, pnl 23
    ]);
    expect(trades.map((t) => [t.side, t.qty, t.entryPrice, t.exitPrice, t.grossPnl, t.fees, t.pnl])).toEqual([
      ['LONG', 10, 100, 110, 100, 2, 98],
      ['SHORT', 5, 50, 40, 50, 2, 48],
      ['LONG', 5, 40, 45, 25, 2, 23],
    ]);
    expect(trades[0]!.return).toBeCloseTo(0.098, 12);
    expect(trades[2]!.durationMs).toBe(2 * DAY);
    expect(trades.map((t) => t.id)).toEqual([0, 1, 2]);
  });

  it('averages scale-ins and leaves an open position out', () => {
    const trades = tradesFromFills([
      fill('1', 'BUY', 10, 100, 0, 0),
      fill('2', 'BUY', 10, 110, 0, 1), // long 20 @ 105
      fill('3', 'SELL', 20, 120, 0, 2), // gross 20 · 15 = 300
      fill('4', 'BUY', 3, 100, 0, 3), // still open at the end
    ]);
    expect(trades).toHaveLength(1);
    expect(trades[0]!.entryPrice).toBe(105);
    expect(trades[0]!.pnl).toBe(300);
  });
});

describe('benchmark', () => {
  it('is buy-and-hold, equal weight, from each first close', () => {
    // A: 10, 11, 12; B: 20, 20, 18 → 1000 · mean(1, 1), mean(1.1, 1.0), mean(1.2, 0.9) = 1000, 1050, 1050.
    const ts = [T0, T0 + DAY, T0 + 2 * DAY];
    const prices = [
      { symbol: 'A', points: ts.map((t, i) => ({ ts: t, close: [10, 11, 12][i]! })) },
      { symbol: 'B', points: ts.map((t, i) => ({ ts: t, close: [20, 20, 18][i]! })) },
    ];
    expect(benchmarkCurve(ts, prices, 1000).map((p) => p.equity)).toEqual([1000, 1050, 1050]);
  });

  it('alpha, beta and correlation of a strategy that is twice the benchmark plus 0.1 % a day', () => {
    // r_s = 2·r_b + 0.001 exactly → beta 2, correlation 1, alpha 0.001 · 252 = 0.252.
    const bench = [100, 101, 99, 102, 100];
    const strategy = [1000];
    for (let i = 1; i < bench.length; i++) {
      const rb = bench[i]! / bench[i - 1]! - 1;
      strategy.push(strategy[i - 1]! * (1 + 2 * rb + 0.001));
    }
    const b = benchmarkStats(strategy, bench, 252, 0);
    expect(b.beta).toBeCloseTo(2, 10);
    expect(b.correlation).toBeCloseTo(1, 10);
    expect(b.alpha).toBeCloseTo(0.252, 10);
    expect(b.totalReturn).toBeCloseTo(0, 12);
    expect(b.maxDrawdown).toBeCloseTo(99 / 101 - 1, 12);
  });
});

describe('monthly returns', () => {
  it('groups by New York month, not UTC month', () => {
    const jan2 = fromNewYork(2025, 1, 2, 16);
    const jan31Evening = fromNewYork(2025, 1, 31, 20, 30); // already 1 Feb in UTC
    const feb3 = fromNewYork(2025, 2, 3, 16);
    const mar3 = fromNewYork(2025, 3, 3, 16);
    const c = [
      { ts: jan2, equity: 100 },
      { ts: jan31Evening, equity: 110 },
      { ts: feb3, equity: 99 },
      { ts: mar3, equity: 108.9 },
    ];
    // Jan 110/100 − 1 = +10 %; Feb 99/110 − 1 = −10 %; Mar 108.9/99 − 1 = +10 %; 2025: 108.9/100 − 1.
    const m = monthlyReturns(c);
    expect(m.map((x) => [x.year, x.month])).toEqual([
      [2025, 1],
      [2025, 2],
      [2025, 3],
    ]);
    expect(m[0]!.return).toBeCloseTo(0.1, 12);
    expect(m[1]!.return).toBeCloseTo(-0.1, 12);
    expect(m[2]!.return).toBeCloseTo(0.1, 12);
    expect(yearlyReturns(c)).toEqual([{ year: 2025, return: expect.closeTo(0.089, 12) as number }]);
  });
});

describe('per-symbol breakdown', () => {
  it('splits trades by symbol and gives each its buy-and-hold return', () => {
    const trades = [trade(0, 50, 1), trade(1, -25, 2), trade(2, 10, 3, { symbol: 'BBB' })];
    const prices = [
      {
        symbol: 'AAA',
        points: [
          { ts: T0, close: 100 },
          { ts: T0 + 4 * DAY, close: 125 },
        ],
      },
      { symbol: 'BBB', points: [] },
    ];
    const [a, b] = symbolBreakdown(['AAA', 'BBB'], trades, prices, 4 * DAY);
    // AAA: 2 trades, 1 win, PF 50/25 = 2, pnl 25, held 2 of 4 days, buy and hold 125/100 − 1.
    expect(a).toMatchObject({ symbol: 'AAA', trades: 2, wins: 1, losses: 1, pnl: 25, profitFactor: 2 });
    expect(a!.timeInMarket).toBe(0.5);
    expect(a!.buyHoldReturn).toBeCloseTo(0.25, 12);
    // BBB: no losses → profit factor undefined (null), no prices → no buy and hold.
    expect(b).toMatchObject({ trades: 1, winRate: 1, profitFactor: null, buyHoldReturn: null });
  });
});

describe('edge cases', () => {
  it('no trades: counts are 0 and ratios are null, not NaN', () => {
    const s = tradeStats([], [], curve([100, 100]));
    expect(s).toMatchObject({
      count: 0,
      wins: 0,
      losses: 0,
      winRate: null,
      profitFactor: null,
      expectancy: null,
      avgWin: null,
      avgLoss: null,
      avgDurationMs: null,
      largestWin: null,
      largestLoss: null,
      maxConsecutiveWins: 0,
      maxConsecutiveLosses: 0,
      fees: 0,
      turnover: 0,
      exposure: 0,
    });
  });

  it('flat equity: zero variance gives no Sharpe, Sortino or Calmar, and no drawdown', () => {
    const c = curve([100, 100, 100, 100]);
    const s = computeStatistics({
      interval: '1d',
      riskFreeRate: 0,
      equityCurve: c,
      benchmarkCurve: c,
      trades: [],
      fills: [],
    });
    expect(s.returns).toMatchObject({
      totalReturn: 0,
      cagr: 0,
      annualVolatility: 0,
      sharpe: null,
      sortino: null,
      calmar: null,
    });
    expect(s.drawdown).toMatchObject({ maxDrawdown: 0, peakTs: null, troughTs: null, durationMs: 0 });
    expect(s.benchmark).toMatchObject({ beta: null, correlation: null, alpha: null });
  });

  it('a single bar: no return periods, so every rate is null', () => {
    const c = curve([100]);
    const s = computeStatistics({
      interval: '1m',
      riskFreeRate: 0,
      equityCurve: c,
      benchmarkCurve: c,
      trades: [],
      fills: [],
    });
    expect(s.returns).toMatchObject({ periods: 0, totalReturn: 0, cagr: null, annualVolatility: null, sharpe: null });
    expect(s.trades.exposure).toBeNull();
  });

  it('refuses an empty curve, a benchmark of another length and timestamps that go back', () => {
    expect(() => returnStats([], 252, 0, 0)).toThrow(/empty/);
    expect(() =>
      computeStatistics({
        interval: '1d',
        riskFreeRate: 0,
        equityCurve: curve([1, 2]),
        benchmarkCurve: curve([1]),
        trades: [],
        fills: [],
      }),
    ).toThrow(/benchmark has 1 points, the equity curve 2/);
    const base = {
      generatedAt: 0,
      parameters: {
        symbols: ['AAA'],
        interval: '1d' as const,
        from: T0,
        to: T0 + DAY,
        initialCash: 100,
        riskFreeRate: 0,
        allowGaps: false,
        policy: null,
        extra: {},
      },
      dataRange: { source: 'sqlite', firstBarTs: null, lastBarTs: null, bars: 0, barsBySymbol: {} },
      fillModel: {
        name: 'next-open',
        fillAt: 'next-open' as const,
        slippageBps: 0,
        commission: 'none' as const,
        partialFills: false,
        description: '',
      },
      prices: [],
      orders: [],
      fills: [],
      gaps: [],
    };
    expect(() => assembleResult({ ...base, equityCurve: [] })).toThrow(/equity curve is empty/);
    expect(() => assembleResult({ ...base, equityCurve: [...curve([100]), ...curve([100])] })).toThrow(
      /timestamps must increase \(point 1\)/,
    );
  });
});
