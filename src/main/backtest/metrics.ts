/**
 * Backtest statistics: pure functions of the equity curve, the trades, the fills and the prices.
 * No clock, no I/O. Every definition and convention is written down in docs/backtest-metrics.md;
 * change the two together.
 */
import { toNewYork } from '../time/newYork';
import type {
  BacktestFill,
  BacktestInterval,
  BenchmarkStats,
  CurvePoint,
  DrawdownStats,
  EquityPoint,
  MonthlyReturn,
  PriceSeries,
  ReturnStats,
  Statistics,
  SymbolBreakdown,
  Trade,
  TradeStats,
  YearlyReturn,
} from './result';

/** US equities trade 252 days a year, 390 regular minutes a day. */
export const TRADING_DAYS_PER_YEAR = 252;
export const MINUTES_PER_SESSION = 390;

export function periodsPerYear(interval: BacktestInterval): number {
  return interval === '1m' ? TRADING_DAYS_PER_YEAR * MINUTES_PER_SESSION : TRADING_DAYS_PER_YEAR;
}

/** Simple returns between consecutive values: r_i = v_i / v_(i−1) − 1. */
export function simpleReturns(values: readonly number[]): number[] {
  const out: number[] = [];
  for (let i = 1; i < values.length; i++) {
    const prev = values[i - 1]!;
    out.push(prev === 0 ? 0 : values[i]! / prev - 1);
  }
  return out;
}

export function mean(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** Sample standard deviation (n − 1); null below two observations. */
export function sampleStd(xs: readonly number[]): number | null {
  if (xs.length < 2) return null;
  const m = mean(xs)!;
  let ss = 0;
  for (const x of xs) ss += (x - m) * (x - m);
  return Math.sqrt(ss / (xs.length - 1));
}

/** Sample covariance (n − 1) of two equally long series; null below two observations. */
function sampleCov(xs: readonly number[], ys: readonly number[]): number | null {
  if (xs.length < 2 || xs.length !== ys.length) return null;
  const mx = mean(xs)!;
  const my = mean(ys)!;
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += (xs[i]! - mx) * (ys[i]! - my);
  return s / (xs.length - 1);
}

/**
 * Downside deviation below a per-period target: sqrt(Σ min(0, r − target)² / n) over all n
 * periods (Sortino & Price), not only the losing ones.
 */
export function downsideDeviation(returns: readonly number[], target: number): number | null {
  if (returns.length === 0) return null;
  let ss = 0;
  for (const r of returns) {
    const d = Math.min(0, r - target);
    ss += d * d;
  }
  return Math.sqrt(ss / returns.length);
}

/** An annual rate as the per-period rate that compounds to it. */
export function perPeriodRate(annual: number, periods: number): number {
  return Math.pow(1 + annual, 1 / periods) - 1;
}

/** Variance so small it is only rounding: a flat curve must not get a Sharpe of 1e16. */
const ZERO_VARIANCE = 1e-15;

function nonZero(x: number | null): x is number {
  return x !== null && Math.abs(x) > ZERO_VARIANCE;
}

export function returnStats(
  equity: readonly number[],
  ppy: number,
  riskFreeRate: number,
  maxDrawdown: number,
): ReturnStats {
  if (equity.length === 0) throw new Error('returnStats: the equity curve is empty');
  const start = equity[0]!;
  const end = equity[equity.length - 1]!;
  const returns = simpleReturns(equity);
  const n = returns.length;
  const years = n / ppy;
  const rf = perPeriodRate(riskFreeRate, ppy);
  const excess = returns.map((r) => r - rf);
  const totalReturn = start === 0 ? 0 : end / start - 1;
  const cagr = n === 0 || start <= 0 ? null : end <= 0 ? -1 : Math.pow(end / start, 1 / years) - 1;
  const std = sampleStd(returns);
  const exStd = sampleStd(excess);
  const exMean = mean(excess);
  const dd = downsideDeviation(returns, rf);
  return {
    startEquity: start,
    endEquity: end,
    periods: n,
    periodsPerYear: ppy,
    years,
    riskFreeRate,
    totalReturn,
    cagr,
    annualVolatility: std === null ? null : std * Math.sqrt(ppy),
    sharpe: exMean !== null && nonZero(exStd) ? (exMean / exStd) * Math.sqrt(ppy) : null,
    sortino: exMean !== null && nonZero(dd) ? (exMean / dd) * Math.sqrt(ppy) : null,
    calmar: cagr !== null && maxDrawdown < 0 ? cagr / -maxDrawdown : null,
  };
}

/** Drawdown from the running peak at every point, ≤ 0. */
export function underwater(curve: readonly CurvePoint[]): CurvePoint[] {
  let peak = -Infinity;
  return curve.map((p) => {
    peak = Math.max(peak, p.equity);
    return { ts: p.ts, equity: peak > 0 ? p.equity / peak - 1 : 0 };
  });
}

export function drawdownStats(curve: readonly CurvePoint[]): DrawdownStats {
  const none: DrawdownStats = {
    maxDrawdown: 0,
    peakTs: null,
    peakEquity: null,
    troughTs: null,
    troughEquity: null,
    recoveryTs: null,
    durationMs: 0,
    longestDurationMs: 0,
  };
  if (curve.length === 0) return none;
  let peakIdx = 0;
  let below = false;
  let worst = 0;
  let worstPeak = -1;
  let worstTrough = -1;
  let longest = 0;
  for (let i = 0; i < curve.length; i++) {
    const p = curve[i]!;
    const peak = curve[peakIdx]!;
    if (p.equity >= peak.equity) {
      // Back at (or above) the peak: the drawdown since it, if any, ends here.
      if (below) longest = Math.max(longest, p.ts - peak.ts);
      below = false;
      peakIdx = i;
      continue;
    }
    below = true;
    const dd = peak.equity > 0 ? p.equity / peak.equity - 1 : 0;
    if (dd < worst) {
      worst = dd;
      worstPeak = peakIdx;
      worstTrough = i;
    }
  }
  const last = curve[curve.length - 1]!;
  if (below) longest = Math.max(longest, last.ts - curve[peakIdx]!.ts);
  if (worstTrough < 0) return none;
  const peak = curve[worstPeak]!;
  const trough = curve[worstTrough]!;
  let recoveryTs: number | null = null;
  for (let i = worstTrough + 1; i < curve.length; i++) {
    if (curve[i]!.equity >= peak.equity) {
      recoveryTs = curve[i]!.ts;
      break;
    }
  }
  return {
    maxDrawdown: worst,
    peakTs: peak.ts,
    peakEquity: peak.equity,
    troughTs: trough.ts,
    troughEquity: trough.equity,
    recoveryTs,
    durationMs: (recoveryTs ?? last.ts) - peak.ts,
    longestDurationMs: longest,
  };
}

interface PnlSummary {
  count: number;
  wins: number;
  losses: number;
  winRate: number | null;
  profitFactor: number | null;
  expectancy: number | null;
  grossProfit: number;
  grossLoss: number;
}

/** A win has pnl > 0 and a loss pnl < 0 (net of fees); a scratch (0) is neither but is counted. */
function summarisePnl(trades: readonly Trade[]): PnlSummary {
  let wins = 0;
  let losses = 0;
  let grossProfit = 0;
  let grossLoss = 0;
  let total = 0;
  for (const t of trades) {
    total += t.pnl;
    if (t.pnl > 0) {
      wins++;
      grossProfit += t.pnl;
    } else if (t.pnl < 0) {
      losses++;
      grossLoss -= t.pnl;
    }
  }
  const count = trades.length;
  return {
    count,
    wins,
    losses,
    winRate: count === 0 ? null : wins / count,
    profitFactor: grossLoss > 0 ? grossProfit / grossLoss : null,
    expectancy: count === 0 ? null : total / count,
    grossProfit,
    grossLoss,
  };
}

/** Trades in the order they closed; ties by entry time then id, so the order is deterministic. */
function byExit(trades: readonly Trade[]): Trade[] {
  return [...trades].sort((a, b) => a.exitTs - b.exitTs || a.entryTs - b.entryTs || a.id - b.id);
}

export function tradeStats(
  trades: readonly Trade[],
  fills: readonly BacktestFill[],
  curve: readonly EquityPoint[],
): TradeStats {
  const s = summarisePnl(trades);
  const winners = trades.filter((t) => t.pnl > 0).map((t) => t.pnl);
  const losers = trades.filter((t) => t.pnl < 0).map((t) => t.pnl);
  let streakW = 0;
  let streakL = 0;
  let maxW = 0;
  let maxL = 0;
  for (const t of byExit(trades)) {
    streakW = t.pnl > 0 ? streakW + 1 : 0;
    streakL = t.pnl < 0 ? streakL + 1 : 0;
    maxW = Math.max(maxW, streakW);
    maxL = Math.max(maxL, streakL);
  }
  let fees = 0;
  let notional = 0;
  for (const f of fills) {
    fees += f.fee;
    notional += Math.abs(f.quantity * f.price);
  }
  const meanEquity = mean(curve.map((p) => p.equity));
  let inMarket = 0;
  for (let i = 1; i < curve.length; i++) if (curve[i - 1]!.exposure > 0) inMarket++;
  return {
    count: s.count,
    wins: s.wins,
    losses: s.losses,
    winRate: s.winRate,
    profitFactor: s.profitFactor,
    expectancy: s.expectancy,
    avgWin: mean(winners),
    avgLoss: mean(losers),
    avgReturn: mean(trades.map((t) => t.return)),
    avgDurationMs: mean(trades.map((t) => t.durationMs)),
    largestWin: winners.length ? Math.max(...winners) : null,
    largestLoss: losers.length ? Math.min(...losers) : null,
    maxConsecutiveWins: maxW,
    maxConsecutiveLosses: maxL,
    fees,
    tradedNotional: notional,
    turnover: meanEquity !== null && meanEquity > 0 ? notional / meanEquity : null,
    exposure: curve.length > 1 ? inMarket / (curve.length - 1) : null,
  };
}

/**
 * Buy-and-hold of the same symbols: the starting equity split equally, each share bought at the
 * symbol's first close and held, no fees. A symbol with no close yet stays in cash. Sampled on the
 * given timestamps (the equity curve's), with each symbol's last close at or before them.
 */
export function benchmarkCurve(
  timestamps: readonly number[],
  prices: readonly PriceSeries[],
  startEquity: number,
): CurvePoint[] {
  const n = prices.length;
  if (n === 0) return timestamps.map((ts) => ({ ts, equity: startEquity }));
  const cursor = new Array<number>(n).fill(-1);
  return timestamps.map((ts) => {
    let sum = 0;
    for (let s = 0; s < n; s++) {
      const pts = prices[s]!.points;
      let j = cursor[s]!;
      while (j + 1 < pts.length && pts[j + 1]!.ts <= ts) j++;
      cursor[s] = j;
      const first = pts[0];
      sum += j < 0 || !first || first.close === 0 ? 1 : pts[j]!.close / first.close;
    }
    return { ts, equity: (startEquity * sum) / n };
  });
}

export function benchmarkStats(
  strategy: readonly number[],
  benchmark: readonly number[],
  ppy: number,
  riskFreeRate: number,
): BenchmarkStats {
  const benchDrawdown = drawdownStats(benchmark.map((equity, i) => ({ ts: i, equity }))).maxDrawdown;
  const bench = returnStats(benchmark, ppy, riskFreeRate, benchDrawdown);
  const rf = perPeriodRate(riskFreeRate, ppy);
  const rs = simpleReturns(strategy).map((r) => r - rf);
  const rb = simpleReturns(benchmark).map((r) => r - rf);
  const cov = sampleCov(rs, rb);
  const varB = sampleStd(rb);
  const sdS = sampleStd(rs);
  const beta = cov !== null && nonZero(varB) ? cov / (varB * varB) : null;
  const alpha = beta !== null ? (mean(rs)! - beta * mean(rb)!) * ppy : null;
  const correlation = cov !== null && nonZero(varB) && nonZero(sdS) ? cov / (varB * sdS) : null;
  return {
    name: 'Buy and hold, equal weight',
    totalReturn: bench.totalReturn,
    cagr: bench.cagr,
    annualVolatility: bench.annualVolatility,
    sharpe: bench.sharpe,
    maxDrawdown: benchDrawdown,
    alpha,
    beta,
    correlation: correlation === null ? null : Math.max(-1, Math.min(1, correlation)),
  };
}

export function symbolBreakdown(
  symbols: readonly string[],
  trades: readonly Trade[],
  prices: readonly PriceSeries[],
  spanMs: number,
): SymbolBreakdown[] {
  return symbols.map((symbol) => {
    const mine = trades.filter((t) => t.symbol === symbol);
    const s = summarisePnl(mine);
    const pts = prices.find((p) => p.symbol === symbol)?.points ?? [];
    const first = pts[0];
    const last = pts[pts.length - 1];
    let held = 0;
    let pnl = 0;
    let fees = 0;
    for (const t of mine) {
      held += t.durationMs;
      pnl += t.pnl;
      fees += t.fees;
    }
    return {
      symbol,
      trades: s.count,
      wins: s.wins,
      losses: s.losses,
      winRate: s.winRate,
      pnl,
      fees,
      profitFactor: s.profitFactor,
      expectancy: s.expectancy,
      timeInMarket: spanMs > 0 ? held / spanMs : null,
      buyHoldReturn: first && last && first.close > 0 ? last.close / first.close - 1 : null,
    };
  });
}

/**
 * Returns per New York calendar month: the month's last equity over the previous month's last
 * equity (the first month starts from the curve's first point).
 */
export function monthlyReturns(curve: readonly CurvePoint[]): MonthlyReturn[] {
  return periodReturns(curve, (ts) => {
    const ny = toNewYork(ts);
    return ny.year * 100 + ny.month;
  }).map(({ key, r }) => ({ year: Math.floor(key / 100), month: key % 100, return: r }));
}

export function yearlyReturns(curve: readonly CurvePoint[]): YearlyReturn[] {
  return periodReturns(curve, (ts) => toNewYork(ts).year).map(({ key, r }) => ({ year: key, return: r }));
}

function periodReturns(curve: readonly CurvePoint[], keyOf: (ts: number) => number): { key: number; r: number }[] {
  const out: { key: number; r: number }[] = [];
  const first = curve[0];
  if (!first) return out;
  let base = first.equity;
  let key = keyOf(first.ts);
  let lastEquity = first.equity;
  const close = (): void => {
    out.push({ key, r: base === 0 ? 0 : lastEquity / base - 1 });
    base = lastEquity;
  };
  for (const p of curve) {
    const k = keyOf(p.ts);
    if (k !== key) {
      close();
      key = k;
    }
    lastEquity = p.equity;
  }
  close();
  return out;
}

export interface StatisticsInput {
  interval: BacktestInterval;
  riskFreeRate: number;
  equityCurve: readonly EquityPoint[];
  benchmarkCurve: readonly CurvePoint[];
  trades: readonly Trade[];
  fills: readonly BacktestFill[];
}

export function computeStatistics(input: StatisticsInput): Statistics {
  const ppy = periodsPerYear(input.interval);
  const drawdown = drawdownStats(input.equityCurve);
  const equity = input.equityCurve.map((p) => p.equity);
  if (input.benchmarkCurve.length !== equity.length) {
    throw new Error(
      `computeStatistics: the benchmark has ${input.benchmarkCurve.length} points, the equity curve ${equity.length}`,
    );
  }
  return {
    returns: returnStats(equity, ppy, input.riskFreeRate, drawdown.maxDrawdown),
    drawdown,
    trades: tradeStats(input.trades, input.fills, input.equityCurve),
    benchmark: benchmarkStats(
      equity,
      input.benchmarkCurve.map((p) => p.equity),
      ppy,
      input.riskFreeRate,
    ),
  };
}
