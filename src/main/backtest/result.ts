/**
 * The canonical backtest result: what the runner produces, what every exporter (JSON, CSV, HTML,
 * PDF) reads, and what run history stores. Documented field by field in docs/backtest-metrics.md.
 *
 * It imports only zod, so it can move to src/shared when the renderer's Backtest panel needs it.
 * Statistics that are undefined for the run (no trades, zero variance, a single bar) are null,
 * never NaN or Infinity: JSON cannot carry those and a reader must not mistake them for numbers.
 */
import { z } from 'zod';
import { OrderStatus } from '../../shared/domain';

/**
 * Bump on any change a reader could notice (a field renamed, removed, or its meaning changed).
 * Adding an optional field does not bump it.
 */
export const RESULT_SCHEMA_VERSION = 1;

/** Epoch ms, UTC. */
const Ts = z.number().int();
/** A statistic that may be undefined for this run. */
const Stat = z.number().nullable();
const Qty = z.number().positive();
const Price = z.number().nonnegative();
const SymbolName = z.string().min(1).max(32);

export const BacktestInterval = z.enum(['1m', '1d']);
export type BacktestInterval = z.infer<typeof BacktestInterval>;

export const BacktestParameters = z.object({
  symbols: z.array(SymbolName).min(1),
  interval: BacktestInterval,
  /** Requested range [from, to). */
  from: Ts,
  to: Ts,
  initialCash: z.number().positive(),
  /** Annual risk-free rate as a fraction (0.04 = 4 %); 0 by default. */
  riskFreeRate: z.number(),
  allowGaps: z.boolean(),
  /** Policy name or weights file; null for the default policy. */
  policy: z.string().nullable(),
  /** Any other named parameter the report should show (gate threshold, sizing, ...). */
  extra: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type BacktestParameters = z.infer<typeof BacktestParameters>;

export const DataRange = z.object({
  /** Where the bars came from: 'sqlite', 'csv:<file name>' or 'dataset:<name>'. */
  source: z.string().min(1),
  firstBarTs: Ts.nullable(),
  lastBarTs: Ts.nullable(),
  /** Bars read, all symbols. */
  bars: z.number().int().nonnegative(),
  barsBySymbol: z.record(z.string(), z.number().int().nonnegative()),
});
export type DataRange = z.infer<typeof DataRange>;

/** How orders were filled. Every report names it, so no result is read without its assumptions. */
export const FillModel = z.object({
  /** A short name for headings, e.g. 'next-open, 2 bps, IB fixed'. */
  name: z.string().min(1),
  /** next-open: a decision at bar t fills at the open of bar t+1 (default); same-close: at the close of t. */
  fillAt: z.enum(['next-open', 'same-close']),
  slippageBps: z.number().nonnegative(),
  commission: z.enum(['ib-fixed', 'ib-tiered', 'none']),
  partialFills: z.boolean(),
  description: z.string(),
});
export type FillModel = z.infer<typeof FillModel>;

/** Portfolio marked at a bar's close. */
export const EquityPoint = z.object({
  ts: Ts,
  equity: z.number(),
  cash: z.number(),
  /** Gross market value of open positions (|long| + |short|); 0 when flat. */
  exposure: z.number().nonnegative(),
});
export type EquityPoint = z.infer<typeof EquityPoint>;

export const CurvePoint = z.object({ ts: Ts, equity: z.number() });
export type CurvePoint = z.infer<typeof CurvePoint>;

export const PricePoint = z.object({ ts: Ts, close: Price });
export type PricePoint = z.infer<typeof PricePoint>;

/** Closes per symbol: the benchmark and the price-with-markers charts are drawn from them. */
export const PriceSeries = z.object({ symbol: SymbolName, points: z.array(PricePoint) });
export type PriceSeries = z.infer<typeof PriceSeries>;

/** A round trip: from flat to flat (a reversal closes one trade and opens the next). */
export const Trade = z.object({
  id: z.number().int().nonnegative(),
  symbol: SymbolName,
  side: z.enum(['LONG', 'SHORT']),
  /** Shares opened (the sum of the entry fills). */
  qty: Qty,
  entryTs: Ts,
  exitTs: Ts,
  /** Volume-weighted over the entry fills and the exit fills. */
  entryPrice: Price,
  exitPrice: Price,
  /** Before fees. */
  grossPnl: z.number(),
  fees: z.number().nonnegative(),
  /** grossPnl − fees: what wins, losses and profit factor count. */
  pnl: z.number(),
  /** pnl / entry notional. */
  return: z.number(),
  durationMs: z.number().int().nonnegative(),
});
export type Trade = z.infer<typeof Trade>;

/** The order states of the live order manager (src/shared/domain.ts). */
export const OrderStatusName = OrderStatus;

/** An order as it ended the run. */
export const BacktestOrder = z.object({
  clientOrderId: z.string().min(1),
  symbol: SymbolName,
  side: z.enum(['BUY', 'SELL']),
  type: z.enum(['MKT', 'LMT']),
  quantity: Qty,
  limitPrice: Price.nullable(),
  /** When the decision created it. */
  ts: Ts,
  status: OrderStatusName,
  filledQty: z.number().nonnegative(),
  avgFillPrice: Price.nullable(),
  fees: z.number().nonnegative(),
  /** Why it was denied, rejected, canceled or expired; null otherwise. */
  reason: z.string().nullable(),
});
export type BacktestOrder = z.infer<typeof BacktestOrder>;

export const BacktestFill = z.object({
  execId: z.string().min(1),
  clientOrderId: z.string().min(1),
  symbol: SymbolName,
  side: z.enum(['BUY', 'SELL']),
  quantity: Qty,
  price: Price,
  fee: z.number().nonnegative(),
  ts: Ts,
});
export type BacktestFill = z.infer<typeof BacktestFill>;

/** Regular-session bars missing from the requested range, found with the market calendar. */
export const BacktestGap = z.object({
  symbol: SymbolName,
  /** Missing bar opens in [fromTs, toTs). */
  fromTs: Ts,
  toTs: Ts,
  missingBars: z.number().int().positive(),
});
export type BacktestGap = z.infer<typeof BacktestGap>;

export const ReturnStats = z.object({
  startEquity: z.number(),
  endEquity: z.number(),
  /** Return periods: bars in the equity curve − 1. */
  periods: z.number().int().nonnegative(),
  /** 252 × 390 for minute bars, 252 for daily. */
  periodsPerYear: z.number().positive(),
  /** periods / periodsPerYear: trading time, the CAGR exponent's denominator. */
  years: z.number().nonnegative(),
  riskFreeRate: z.number(),
  totalReturn: z.number(),
  cagr: Stat,
  annualVolatility: Stat,
  sharpe: Stat,
  sortino: Stat,
  calmar: Stat,
});
export type ReturnStats = z.infer<typeof ReturnStats>;

export const DrawdownStats = z.object({
  /** Deepest fall from a running peak, as a fraction ≤ 0 (−0.2 = 20 % below the peak). */
  maxDrawdown: z.number().max(0),
  peakTs: Ts.nullable(),
  peakEquity: Stat,
  troughTs: Ts.nullable(),
  troughEquity: Stat,
  /** First time equity regained the peak after the trough; null if it never did. */
  recoveryTs: Ts.nullable(),
  /** Peak to recovery, or peak to the last bar when not recovered. */
  durationMs: z.number().int().nonnegative(),
  /** The longest time spent below a running peak, any drawdown. */
  longestDurationMs: z.number().int().nonnegative(),
});
export type DrawdownStats = z.infer<typeof DrawdownStats>;

export const TradeStats = z.object({
  count: z.number().int().nonnegative(),
  wins: z.number().int().nonnegative(),
  losses: z.number().int().nonnegative(),
  winRate: Stat,
  profitFactor: Stat,
  expectancy: Stat,
  avgWin: Stat,
  avgLoss: Stat,
  avgReturn: Stat,
  avgDurationMs: Stat,
  largestWin: Stat,
  largestLoss: Stat,
  maxConsecutiveWins: z.number().int().nonnegative(),
  maxConsecutiveLosses: z.number().int().nonnegative(),
  /** All fill fees, including those of positions still open at the end. */
  fees: z.number().nonnegative(),
  /** Σ |qty × price| over all fills. */
  tradedNotional: z.number().nonnegative(),
  /** tradedNotional / mean equity. */
  turnover: Stat,
  /** Fraction of return periods that started with a position open (time in market). */
  exposure: Stat,
});
export type TradeStats = z.infer<typeof TradeStats>;

export const BenchmarkStats = z.object({
  name: z.string(),
  totalReturn: z.number(),
  cagr: Stat,
  annualVolatility: Stat,
  sharpe: Stat,
  maxDrawdown: z.number().max(0),
  /** Jensen's alpha, annualised (arithmetic), against the benchmark. */
  alpha: Stat,
  beta: Stat,
  correlation: Stat,
});
export type BenchmarkStats = z.infer<typeof BenchmarkStats>;

export const Statistics = z.object({
  returns: ReturnStats,
  drawdown: DrawdownStats,
  trades: TradeStats,
  benchmark: BenchmarkStats,
});
export type Statistics = z.infer<typeof Statistics>;

export const SymbolBreakdown = z.object({
  symbol: SymbolName,
  trades: z.number().int().nonnegative(),
  wins: z.number().int().nonnegative(),
  losses: z.number().int().nonnegative(),
  winRate: Stat,
  pnl: z.number(),
  fees: z.number().nonnegative(),
  profitFactor: Stat,
  expectancy: Stat,
  /** Σ trade durations / the run's span. */
  timeInMarket: Stat,
  /** Last close / first close − 1 in the run. */
  buyHoldReturn: Stat,
});
export type SymbolBreakdown = z.infer<typeof SymbolBreakdown>;

/** A New York calendar month. */
export const MonthlyReturn = z.object({
  year: z.number().int(),
  month: z.number().int().min(1).max(12),
  return: z.number(),
});
export type MonthlyReturn = z.infer<typeof MonthlyReturn>;

export const YearlyReturn = z.object({ year: z.number().int(), return: z.number() });
export type YearlyReturn = z.infer<typeof YearlyReturn>;

export const BacktestResult = z.object({
  schemaVersion: z.literal(RESULT_SCHEMA_VERSION),
  /** Epoch ms when the result was assembled: the one field that differs between identical runs. */
  generatedAt: Ts,
  parameters: BacktestParameters,
  dataRange: DataRange,
  fillModel: FillModel,
  statistics: Statistics,
  equityCurve: z.array(EquityPoint),
  /** Buy-and-hold of the same symbols, equal weight, on the equity curve's timestamps. */
  benchmarkCurve: z.array(CurvePoint),
  prices: z.array(PriceSeries),
  trades: z.array(Trade),
  orders: z.array(BacktestOrder),
  fills: z.array(BacktestFill),
  gaps: z.array(BacktestGap),
  perSymbol: z.array(SymbolBreakdown),
  monthlyReturns: z.array(MonthlyReturn),
  yearlyReturns: z.array(YearlyReturn),
});
export type BacktestResult = z.infer<typeof BacktestResult>;

/** Parses a result read back from disk; the error names the first bad field. */
export function parseResult(value: unknown): BacktestResult {
  const r = BacktestResult.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue ? issue.path.join('.') || '(root)' : '(root)';
  throw new Error(
    `not a Kestrel backtest result (schema v${RESULT_SCHEMA_VERSION}): ${where}: ${issue?.message ?? 'invalid'}`,
  );
}

/**
 * JSON with object keys sorted at every level and arrays in their order, so equal results give
 * byte-identical text. Numbers are written as JavaScript prints them (shortest round-trip form).
 */
export function canonicalJson(result: BacktestResult): string {
  return `${JSON.stringify(sortKeys(result))}\n`;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = sortKeys(v);
    }
    return out;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) {
    throw new Error(`canonicalJson: ${value} is not a JSON number`);
  }
  return value;
}
