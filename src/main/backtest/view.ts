/**
 * What the Backtest panel sees of a result: the statistics as labelled rows (one list, so the
 * panel, the history and the comparison format them the same way), a headline for the history,
 * and an equity curve thinned for drawing. Pure: no storage, no clock.
 */
import type {
  BacktestCurvePoint,
  BacktestHeadline,
  BacktestRunInfo,
  BacktestStat,
  BacktestView,
} from '../../shared/domain';
import type { BacktestResult } from './result';

type Format = BacktestStat['format'];

/** key, label, format, and where the value is in the result. */
const STAT_ROWS: [string, string, Format, (r: BacktestResult) => number | null][] = [
  ['totalReturn', 'Total return', 'pct', (r) => r.statistics.returns.totalReturn],
  ['cagr', 'CAGR', 'pct', (r) => r.statistics.returns.cagr],
  ['annualVolatility', 'Volatility (ann.)', 'pct', (r) => r.statistics.returns.annualVolatility],
  ['sharpe', 'Sharpe', 'num', (r) => r.statistics.returns.sharpe],
  ['sortino', 'Sortino', 'num', (r) => r.statistics.returns.sortino],
  ['calmar', 'Calmar', 'num', (r) => r.statistics.returns.calmar],
  ['maxDrawdown', 'Max drawdown', 'pct', (r) => r.statistics.drawdown.maxDrawdown],
  ['drawdownDuration', 'Max DD duration', 'ms', (r) => r.statistics.drawdown.durationMs],
  ['endEquity', 'End equity', 'money', (r) => r.statistics.returns.endEquity],
  ['trades', 'Trades', 'int', (r) => r.statistics.trades.count],
  ['winRate', 'Win rate', 'pct', (r) => r.statistics.trades.winRate],
  ['profitFactor', 'Profit factor', 'num', (r) => r.statistics.trades.profitFactor],
  ['expectancy', 'Expectancy', 'money', (r) => r.statistics.trades.expectancy],
  ['avgWin', 'Avg win', 'money', (r) => r.statistics.trades.avgWin],
  ['avgLoss', 'Avg loss', 'money', (r) => r.statistics.trades.avgLoss],
  ['largestWin', 'Largest win', 'money', (r) => r.statistics.trades.largestWin],
  ['largestLoss', 'Largest loss', 'money', (r) => r.statistics.trades.largestLoss],
  ['avgTradeDuration', 'Avg trade duration', 'ms', (r) => r.statistics.trades.avgDurationMs],
  ['maxConsecutiveWins', 'Max consecutive wins', 'int', (r) => r.statistics.trades.maxConsecutiveWins],
  ['maxConsecutiveLosses', 'Max consecutive losses', 'int', (r) => r.statistics.trades.maxConsecutiveLosses],
  ['exposure', 'Time in market', 'pct', (r) => r.statistics.trades.exposure],
  ['fees', 'Fees', 'money', (r) => r.statistics.trades.fees],
  ['turnover', 'Turnover', 'num', (r) => r.statistics.trades.turnover],
  ['benchmarkReturn', 'Benchmark return', 'pct', (r) => r.statistics.benchmark.totalReturn],
  ['benchmarkMaxDrawdown', 'Benchmark max DD', 'pct', (r) => r.statistics.benchmark.maxDrawdown],
  ['alpha', 'Alpha (ann.)', 'pct', (r) => r.statistics.benchmark.alpha],
  ['beta', 'Beta', 'num', (r) => r.statistics.benchmark.beta],
  ['correlation', 'Correlation', 'num', (r) => r.statistics.benchmark.correlation],
];

export function statRows(result: BacktestResult): BacktestStat[] {
  return STAT_ROWS.map(([key, label, format, get]) => ({ key, label, format, value: get(result) }));
}

export function headlineOf(result: BacktestResult): BacktestHeadline {
  const s = result.statistics;
  return {
    totalReturn: s.returns.totalReturn,
    cagr: s.returns.cagr,
    sharpe: s.returns.sharpe,
    maxDrawdown: s.drawdown.maxDrawdown,
    trades: s.trades.count,
    benchmarkReturn: s.benchmark.totalReturn,
    bars: result.dataRange.bars,
  };
}

/** Indices to keep when thinning n points to at most `max`: evenly spaced, always the first and the last. */
export function thinIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const out: number[] = [];
  const step = (n - 1) / (max - 1);
  for (let k = 0; k < max; k++) {
    const i = Math.round(k * step);
    if (out[out.length - 1] !== i) out.push(i);
  }
  return out;
}

/** Equity, benchmark and drawdown on every bar (drawdown from the full curve, before thinning). */
export function curveOf(result: BacktestResult, maxPoints: number): BacktestCurvePoint[] {
  const eq = result.equityCurve;
  const bench = new Map(result.benchmarkCurve.map((p) => [p.ts, p.equity]));
  const dd = new Float64Array(eq.length);
  let peak = -Infinity;
  eq.forEach((p, i) => {
    peak = Math.max(peak, p.equity);
    dd[i] = peak > 0 ? Math.min(0, p.equity / peak - 1) : 0;
  });
  return thinIndices(eq.length, maxPoints).map((i) => {
    const p = eq[i]!;
    return { ts: p.ts, equity: p.equity, benchmark: bench.get(p.ts) ?? null, drawdown: dd[i]! };
  });
}

export interface ViewOptions {
  points: number;
  trades: number;
}

export function viewOf(run: BacktestRunInfo, result: BacktestResult, opts: ViewOptions): BacktestView {
  const trades = result.trades.slice(Math.max(0, result.trades.length - opts.trades)).reverse();
  return {
    run,
    fillModel: { name: result.fillModel.name, description: result.fillModel.description },
    dataRange: {
      source: result.dataRange.source,
      firstBarTs: result.dataRange.firstBarTs,
      lastBarTs: result.dataRange.lastBarTs,
      bars: result.dataRange.bars,
    },
    stats: statRows(result),
    curve: curveOf(result, opts.points),
    curvePoints: result.equityCurve.length,
    trades: trades.map((t) => ({
      id: t.id,
      symbol: t.symbol,
      side: t.side,
      qty: t.qty,
      entryTs: t.entryTs,
      exitTs: t.exitTs,
      entryPrice: t.entryPrice,
      exitPrice: t.exitPrice,
      pnl: t.pnl,
      return: t.return,
    })),
    tradeCount: result.trades.length,
    gaps: result.gaps.length,
    perSymbol: result.perSymbol.map((s) => ({
      symbol: s.symbol,
      trades: s.trades,
      winRate: s.winRate,
      pnl: s.pnl,
      buyHoldReturn: s.buyHoldReturn,
    })),
    monthly: result.monthlyReturns.map((m) => ({ year: m.year, month: m.month, return: m.return })),
  };
}
