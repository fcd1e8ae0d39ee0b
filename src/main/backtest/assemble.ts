/**
 * Turns what a run produced (equity marks, fills, orders, closes, gaps) into the canonical result:
 * derives the trades, the benchmark, the statistics and the breakdowns, and validates the whole
 * against the schema so no exporter ever sees a malformed result. Pure: the caller passes
 * generatedAt from its Clock.
 */
import { benchmarkCurve, computeStatistics, monthlyReturns, symbolBreakdown, yearlyReturns } from './metrics';
import {
  BacktestResult,
  RESULT_SCHEMA_VERSION,
  type BacktestFill,
  type BacktestGap,
  type BacktestOrder,
  type BacktestParameters,
  type DataRange,
  type EquityPoint,
  type FillModel,
  type PriceSeries,
  type Trade,
} from './result';
import { tradesFromFills } from './trades';

export interface RunOutput {
  generatedAt: number;
  parameters: BacktestParameters;
  dataRange: DataRange;
  fillModel: FillModel;
  /** One mark per bar close, oldest first; the first is the starting equity. */
  equityCurve: EquityPoint[];
  prices: PriceSeries[];
  orders: BacktestOrder[];
  fills: BacktestFill[];
  gaps: BacktestGap[];
  /** Round trips, when the runner tracks them itself; otherwise derived from the fills. */
  trades?: Trade[];
}

export function assembleResult(run: RunOutput): BacktestResult {
  if (run.equityCurve.length === 0) throw new Error('backtest result: the equity curve is empty (no bars in range?)');
  for (let i = 1; i < run.equityCurve.length; i++) {
    if (run.equityCurve[i]!.ts <= run.equityCurve[i - 1]!.ts) {
      throw new Error(`backtest result: equity curve timestamps must increase (point ${i})`);
    }
  }
  const trades = run.trades ?? tradesFromFills(run.fills);
  const timestamps = run.equityCurve.map((p) => p.ts);
  const bench = benchmarkCurve(timestamps, run.prices, run.equityCurve[0]!.equity);
  const first = timestamps[0]!;
  const last = timestamps[timestamps.length - 1]!;
  const result = {
    schemaVersion: RESULT_SCHEMA_VERSION,
    generatedAt: run.generatedAt,
    parameters: run.parameters,
    dataRange: run.dataRange,
    fillModel: run.fillModel,
    statistics: computeStatistics({
      interval: run.parameters.interval,
      riskFreeRate: run.parameters.riskFreeRate,
      equityCurve: run.equityCurve,
      benchmarkCurve: bench,
      trades,
      fills: run.fills,
    }),
    equityCurve: run.equityCurve,
    benchmarkCurve: bench,
    prices: run.prices,
    trades,
    orders: run.orders,
    fills: run.fills,
    gaps: run.gaps,
    perSymbol: symbolBreakdown(run.parameters.symbols, trades, run.prices, last - first),
    monthlyReturns: monthlyReturns(run.equityCurve),
    yearlyReturns: yearlyReturns(run.equityCurve),
  };
  const parsed = BacktestResult.safeParse(result);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`backtest result is invalid at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`);
  }
  return parsed.data;
}
