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
