import { z } from 'zod';

/** Epoch milliseconds, UTC. */
export const EpochMs = z.number().int().nonnegative();

export const Symbol = z
  .string()
  .min(1)
  .max(16)
  .regex(/^[A-Z][A-Z0-9.-]*$/, 'symbols are upper-case tickers such as NVDA or BRK.B');
export type Symbol = z.infer<typeof Symbol>;

export const TradingStateName = z.enum(['ACTIVE', 'REDUCING', 'HALTED']);
export type TradingStateName = z.infer<typeof TradingStateName>;

/** Where a change came from; recorded in the audit log. */
export const Surface = z.enum(['ui-electron', 'ui-ws', 'cli', 'engine', 'startup']);
export type Surface = z.infer<typeof Surface>;

export const TradingState = z.object({
  state: TradingStateName,
  reason: z.string(),
  changedAt: EpochMs,
  changedBy: Surface,
});
export type TradingState = z.infer<typeof TradingState>;

export const SymbolMode = z.enum(['off', 'shadow', 'live']);
export type SymbolMode = z.infer<typeof SymbolMode>;

export const SymbolInfo = z.object({
  symbol: Symbol,
  mode: SymbolMode,
  changedAt: EpochMs.nullable(),
});
export type SymbolInfo = z.infer<typeof SymbolInfo>;

export const AlertLevel = z.enum(['info', 'warning', 'critical']);
export type AlertLevel = z.infer<typeof AlertLevel>;

export const Alert = z.object({
  id: z.string(),
  ts: EpochMs,
  level: AlertLevel,
  title: z.string(),
  message: z.string(),
});
export type Alert = z.infer<typeof Alert>;

export const ProviderName = z.enum([
  'polygon',
  'alphavantage',
  'finnhub',
  'alpaca',
  'yahoo',
  'ibkr',
  'synthetic',
  'replay',
]);
export type ProviderName = z.infer<typeof ProviderName>;

export const Bar = z.object({
  symbol: Symbol,
  /** Bar open time, epoch ms UTC. */
  ts: EpochMs,
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().nonnegative(),
  /** Volume-weighted average price, when the source gives or we compute it. */
  vw: z.number().optional(),
  /** Trade count, when known. */
  n: z.number().int().nonnegative().optional(),
  provider: ProviderName.optional(),
});
export type Bar = z.infer<typeof Bar>;

export const Trade = z.object({
  symbol: Symbol,
  /** Event time at the venue or provider, epoch ms UTC. */
  ts: EpochMs,
  price: z.number(),
  size: z.number().nonnegative(),
  /** The provider's trade id, used to drop duplicates. */
  id: z.string().optional(),
  provider: ProviderName,
});
export type Trade = z.infer<typeof Trade>;

export const Quote = z.object({
  symbol: Symbol,
  ts: EpochMs,
  bid: z.number(),
  bidSize: z.number().nonnegative(),
  ask: z.number(),
  askSize: z.number().nonnegative(),
  /** Last trade price when the source gives one with the quote (REST quote endpoints). */
  last: z.number().optional(),
  provider: ProviderName,
});
export type Quote = z.infer<typeof Quote>;

export const ProviderRole = z.enum(['active', 'warm', 'shadow', 'throttled', 'down', 'off']);
export type ProviderRole = z.infer<typeof ProviderRole>;
export const BreakerState = z.enum(['closed', 'open', 'half-open']);

/** One row of the provider comparison panel. */
export const ProviderRow = z.object({
  name: ProviderName,
  /** Simulated data (synthetic, replay): the UI labels it SIM. */
  sim: z.boolean(),
  state: ProviderRole,
  reason: z.string(),
  breaker: BreakerState,
  health: z.number().min(0).max(1),
  successRate: z.number().min(0).max(1),
  latencyP95Ms: z.number().nullable(),
  freshnessP95Ms: z.number().nullable(),
  mismatchRate: z.number().nullable(),
  requestsToday: z.number().int().nonnegative(),
  dailyCap: z.number().nullable(),
  costPerQuoteUsd: z.number().nullable(),
  activeFor: z.array(Symbol),
});
export type ProviderRow = z.infer<typeof ProviderRow>;

/** The latest price of a symbol, coalesced for the UI. */
export const MarketTick = z.object({
  symbol: Symbol,
  ts: EpochMs,
  last: z.number().nullable(),
  bid: z.number().nullable(),
  ask: z.number().nullable(),
  provider: ProviderName,
});
export type MarketTick = z.infer<typeof MarketTick>;

export const ProviderSwitched = z.object({
  symbol: Symbol,
  from: ProviderName.nullable(),
  to: ProviderName.nullable(),
  reason: z.string(),
  ts: EpochMs,
});
export type ProviderSwitched = z.infer<typeof ProviderSwitched>;

export const GateCriterion = z.object({
  name: z.string(),
  value: z.number().nullable(),
  threshold: z.string(),
  pass: z.boolean(),
  detail: z.string(),
});
export const GateReport = z.object({
  target: z.string(),
  verdict: z.enum(['PASS', 'FAIL']),
  windowMs: z.number(),
  criteria: z.array(GateCriterion),
});
export type GateReport = z.infer<typeof GateReport>;
