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

/** What an alert is about, so channels and desktop notifications can route it (docs/alerts.md). */
export const AlertKind = z.enum([
  'killSwitch',
  'failover',
  'orderRejected',
  'gatesFailing',
  'brokerDisconnected',
  'dataGap',
  'storage',
  'other',
]);
export type AlertKind = z.infer<typeof AlertKind>;

export const Alert = z.object({
  id: z.string(),
  ts: EpochMs,
  level: AlertLevel,
  kind: AlertKind,
  title: z.string(),
  message: z.string(),
  /** The symbol it concerns, when there is one (desktop notifications need to know if it is live). */
  symbol: z.string().optional(),
});
export type Alert = z.infer<typeof Alert>;

/** An alert from the history, with when it was acknowledged (null: unread). */
export const AlertRecord = Alert.extend({ ackedAt: EpochMs.nullable() });
export type AlertRecord = z.infer<typeof AlertRecord>;

export const AlertHistory = z.object({
  alerts: z.array(AlertRecord),
  /** Unacknowledged alerts in the whole history, not just this page. */
  unread: z.number().int().nonnegative(),
});
export type AlertHistory = z.infer<typeof AlertHistory>;

/** One outbound alert channel as the settings UI shows it; the URL is masked (it is a secret). */
export const AlertChannelStatus = z.object({
  index: z.number().int().nonnegative(),
  type: z.enum(['webhook', 'slack', 'discord']),
  target: z.string(),
  minLevel: AlertLevel,
  kinds: z.array(AlertKind).nullable(),
  queued: z.number().int().nonnegative(),
  sent: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  retries: z.number().int().nonnegative(),
  rateLimited: z.number().int().nonnegative(),
  deduplicated: z.number().int().nonnegative(),
  dropped: z.number().int().nonnegative(),
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  lastSentTs: EpochMs.nullable(),
});
export type AlertChannelStatus = z.infer<typeof AlertChannelStatus>;

export const AlertTestResult = z.object({
  ok: z.boolean(),
  /** The HTTP status, or null when no response came (timeout, refused, DNS). */
  status: z.number().int().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nonnegative(),
});
export type AlertTestResult = z.infer<typeof AlertTestResult>;

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
  /** Absent means a minute bar; only a daily replay streams '1d' bars. */
  interval: z.enum(['1m', '1d']).optional(),
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

// --- Chart (getBars / bars event); aggregation rules in src/main/bars/intervals.ts ---
export const ChartInterval = z.enum(['1m', '5m', '15m', '1h', '1d']);
export type ChartInterval = z.infer<typeof ChartInterval>;
export const BarStatusName = z.enum(['live', 'backfilled', 'amended']);

/** One candle: a bucket's OHLCV, stamped at its start. Compact on purpose: charts load thousands. */
export const ChartBar = z.object({
  ts: EpochMs,
  o: z.number(),
  h: z.number(),
  l: z.number(),
  c: z.number(),
  v: z.number().nonnegative(),
  status: BarStatusName,
});
export type ChartBar = z.infer<typeof ChartBar>;

/** Missing regular-session minutes [fromTs, toTs); closed time is never a gap. */
export const ChartGap = z.object({ fromTs: EpochMs, toTs: EpochMs, minutes: z.number().int().positive() });
export type ChartGap = z.infer<typeof ChartGap>;

export const ChartHistory = z.object({
  symbol: Symbol,
  interval: ChartInterval,
  /** Oldest first; the last one may still be forming. */
  bars: z.array(ChartBar),
  gaps: z.array(ChartGap),
  /** Start of every bucket of `interval` that holds at least one missing minute, ascending. */
  gapBuckets: z.array(EpochMs),
  /** The data is simulated (synthetic or replay feed): the UI labels it SIM. */
  sim: z.boolean(),
  /** Distinct bar sources in the answer ('built', a provider, 'import', 'dataset'). */
  sources: z.array(z.string()),
  /** Older bars in the window were left out to respect `limit`. */
  truncated: z.boolean(),
});
export type ChartHistory = z.infer<typeof ChartHistory>;

/** Coalesced 1-minute updates (closed, amended, provider and the forming bar) for one symbol. */
export const BarsUpdate = z.object({ symbol: Symbol, bars: z.array(ChartBar) });
export type BarsUpdate = z.infer<typeof BarsUpdate>;

// --- Backfill (gap detection and the backfill queue; see docs/backfill.md) ---

/** T0 is served first; each tier has its own queue depth cap. */
export const BackfillTier = z.enum(['T0', 'T1', 'T2']);
export type BackfillTier = z.infer<typeof BackfillTier>;

/** dead: failed maxAttempts times; waits in the dead-letter queue for requeue or purge. */
export const BackfillJobState = z.enum(['queued', 'running', 'done', 'dead']);
export type BackfillJobState = z.infer<typeof BackfillJobState>;

export const BackfillJob = z.object({
  id: z.number().int().positive(),
  symbol: Symbol,
  interval: z.enum(['1m', '1d']),
  /** Bar opens in [fromTs, toTs), epoch ms UTC. */
  fromTs: EpochMs,
  toTs: EpochMs,
  tier: BackfillTier,
  state: BackfillJobState,
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: EpochMs,
  lastError: z.string().nullable(),
  provider: z.string().nullable(),
  barsFilled: z.number().int().nonnegative(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type BackfillJob = z.infer<typeof BackfillJob>;

/** A run of missing regular-session minutes, [fromTs, toTs). */
export const GapRangeSchema = z.object({ fromTs: EpochMs, toTs: EpochMs, minutes: z.number().int().positive() });

/** Gap state of one symbol on one New York day. */
export const DayGapStateSchema = z.object({
  date: z.string(),
  /** Regular-session minutes that should have a bar by now. */
  expectedMinutes: z.number().int().nonnegative(),
  haveMinutes: z.number().int().nonnegative(),
  /** Of haveMinutes, how many were filled by backfill. */
  backfilledMinutes: z.number().int().nonnegative(),
  missing: z.array(GapRangeSchema),
  state: z.enum(['closed', 'pending', 'complete', 'partial', 'empty']),
  /** Backfill jobs touching the day that are queued or running, and dead ones. */
  openJobs: z.number().int().nonnegative(),
  deadJobs: z.number().int().nonnegative(),
});
export type DayGapStateDto = z.infer<typeof DayGapStateSchema>;

/** Queue depths, coalesced to at most one event a second. */
export const BackfillStatus = z.object({
  ts: EpochMs,
  enabled: z.boolean(),
  /** Queued or running jobs per tier. */
  depths: z.object({ T0: z.number().int(), T1: z.number().int(), T2: z.number().int() }),
  caps: z.object({ T0: z.number().int(), T1: z.number().int(), T2: z.number().int() }),
  running: z.number().int().nonnegative(),
  dead: z.number().int().nonnegative(),
  /** Gap ranges refused since start because their tier was at its cap (a later sweep finds them again). */
  refused: z.number().int().nonnegative(),
});
export type BackfillStatus = z.infer<typeof BackfillStatus>;

// --- Signals (issue 5): one policy decision, passed or blocked by the gate ---------------------

/** Per-symbol side of a decision. */
export const SignalSide = z.enum(['SELL', 'HOLD', 'BUY']);
export type SignalSide = z.infer<typeof SignalSide>;
/** The single-symbol policy's actions, in the order of its probabilities. */
export const SINGLE_ACTIONS = ['SELL', 'HOLD', 'BUY'] as const;
/** The dual-ticker policy's actions (A, B = the configured pair), in the order of its probabilities: index = 3·sideA + sideB. */
export const DUAL_ACTIONS = [
  'SELL_BOTH',
  'SELL_A_HOLD_B',
  'SELL_A_BUY_B',
  'HOLD_A_SELL_B',
  'HOLD_BOTH',
  'HOLD_A_BUY_B',
  'BUY_A_SELL_B',
  'BUY_A_HOLD_B',
  'BUY_BOTH',
] as const;
export const SignalAction = z.enum([...SINGLE_ACTIONS, ...DUAL_ACTIONS]);
export type SignalAction = z.infer<typeof SignalAction>;
/** Why the gate blocked a decision, in the order the gate reports them (the first is `reason`). */
export const SIGNAL_BLOCK_REASONS = [
  'inference_error',
  'hold',
  'halted',
  'session',
  'stale_features',
  'confidence',
  'cooldown',
] as const;
export const SignalBlockReason = z.enum(SIGNAL_BLOCK_REASONS);
export type SignalBlockReason = z.infer<typeof SignalBlockReason>;

export const Signal = z.object({
  /** Row id once stored (listSignals); absent on the live event. */
  id: z.number().int().positive().optional(),
  /** Decision time, epoch ms UTC. */
  ts: EpochMs,
  /** Open time of the minute bar the features were computed on. */
  barTs: EpochMs,
  policy: z.enum(['single', 'dual']),
  /** One symbol, or the pair [A, B] for the dual policy. */
  symbols: z.array(Symbol).min(1).max(2),
  action: SignalAction,
  /** The action split per symbol: what a chart marker shows. */
  legs: z
    .array(z.object({ symbol: Symbol, side: SignalSide }))
    .min(1)
    .max(2),
  /** Probabilities in the order of SINGLE_ACTIONS or DUAL_ACTIONS; all 0 after an inference error. */
  probs: z.array(z.number().min(0).max(1)),
  /** Probability of the chosen action; 0 after an inference error. */
  confidence: z.number().min(0).max(1),
  threshold: z.number().min(0).max(1),
  passed: z.boolean(),
  /** The first failing check; null when passed. */
  reason: SignalBlockReason.nullable(),
  /** Every failing check. */
  reasons: z.array(SignalBlockReason),
  /** The first failing check in words ("confidence 0.55 < 0.60"); '' when passed. */
  detail: z.string(),
  /** Closing trade/bar event → gated decision, microseconds (monotonic clock). */
  latencyUs: z.number().nonnegative(),
  /** The symbol's mode when decided (for a pair: live if either leg is live, else shadow if either is). */
  mode: SymbolMode,
});
export type Signal = z.infer<typeof Signal>;

/** What /healthz shows per symbol. */
export const LastSignal = Signal.pick({ action: true, confidence: true, passed: true, reason: true });
export type LastSignal = z.infer<typeof LastSignal>;

export const SignalStats = z.object({
  /** Decision latency over the most recent decisions (up to `window`), microseconds; null before the first. */
  latency: z.object({
    window: z.number().int().positive(),
    count: z.number().int().nonnegative(),
    p50Us: z.number().nullable(),
    p95Us: z.number().nullable(),
    p99Us: z.number().nullable(),
  }),
  /** Counts since the engine started. */
  decisions: z.number().int().nonnegative(),
  passed: z.number().int().nonnegative(),
  blocked: z.number().int().nonnegative(),
  /** Blocked decisions by their first reason. */
  blockedByReason: z.record(z.string(), z.number().int().nonnegative()),
  inferenceErrors: z.number().int().nonnegative(),
  /** Pair minutes that could not be decided because one leg had no bar for that minute. */
  pairUnmatched: z.number().int().nonnegative(),
  pair: z.tuple([Symbol, Symbol]).nullable(),
  defaultThreshold: z.number().min(0).max(1),
  /** Effective threshold per watched symbol (and per pair key 'A/B'). */
  thresholds: z.record(z.string(), z.number().min(0).max(1)),
  cooldownMs: z.number().int().nonnegative(),
  maxFeatureAgeMs: z.number().int().nonnegative(),
  allowExtendedHours: z.boolean(),
});
export type SignalStats = z.infer<typeof SignalStats>;

// --- execution (issue 6; docs/execution.md): orders, fills, positions, broker, kill progress ---
export const OrderMode = z.enum(['shadow', 'live']);
export type OrderMode = z.infer<typeof OrderMode>;
export const OrderSide = z.enum(['BUY', 'SELL']);
export const OrderType = z.enum(['MKT', 'LMT']);
export const TimeInForce = z.enum(['DAY', 'GTC', 'IOC']);
/** signal: a passed signal; manual: the order ticket; flatten: the kill switch's flatten; external: adopted from IB. */
export const OrderOrigin = z.enum(['signal', 'manual', 'flatten', 'external']);
export const OrderStatus = z.enum([
  'INITIALIZED',
  'DENIED',
  'SUBMITTED',
  'ACCEPTED',
  'PARTIALLY_FILLED',
  'FILLED',
  'PENDING_CANCEL',
  'CANCELED',
  'REJECTED',
  'EXPIRED',
]);
export type OrderStatus = z.infer<typeof OrderStatus>;

/** One order as the blotter shows it; `virtual` is true for shadow orders (simulated broker). */
export const Order = z.object({
  clientOrderId: z.string(),
  mode: OrderMode,
  virtual: z.boolean(),
  symbol: z.string(),
  side: OrderSide,
  quantity: z.number().positive(),
  type: OrderType,
  limitPrice: z.number().positive().nullable(),
  tif: TimeInForce,
  origin: OrderOrigin,
  reduceOnly: z.boolean(),
  status: OrderStatus,
  /** Working = SUBMITTED, ACCEPTED, PARTIALLY_FILLED, PENDING_CANCEL. */
  working: z.boolean(),
  brokerOrderId: z.string().nullable(),
  filledQty: z.number().nonnegative(),
  avgFillPrice: z.number().nullable(),
  commission: z.number(),
  /** Why it was denied, rejected or cancelled (or why a cancel was refused). */
  reason: z.string().nullable(),
  /** Risk reason code of a denial (MAX_ORDER_QUANTITY, TRADING_HALTED, BROKER_UNAVAILABLE, ...). */
  denyCode: z.string().nullable(),
  overfilled: z.boolean(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type Order = z.infer<typeof Order>;

export const Fill = z.object({
  execId: z.string(),
  clientOrderId: z.string(),
  mode: OrderMode,
  symbol: z.string(),
  side: OrderSide,
  quantity: z.number().positive(),
  price: z.number().positive(),
  /** Null until the broker's commission report arrives. */
  commission: z.number().nullable(),
  ts: EpochMs,
});
export type Fill = z.infer<typeof Fill>;

/** Per (mode, symbol); realised P&L is net of commissions, unrealised marked to the last quote. */
export const Position = z.object({
  mode: OrderMode,
  symbol: z.string(),
  /** Signed shares: negative is short. */
  quantity: z.number(),
  avgCost: z.number(),
  realizedPnl: z.number(),
  unrealizedPnl: z.number(),
  dailyPnl: z.number(),
  commissions: z.number(),
  lastPrice: z.number().nullable(),
  updatedAt: EpochMs,
});
export type Position = z.infer<typeof Position>;

export const PnlTotals = z.object({
  realizedPnl: z.number(),
  unrealizedPnl: z.number(),
  dailyPnl: z.number(),
  grossExposure: z.number(),
});
export type PnlTotals = z.infer<typeof PnlTotals>;

/** Positions of both books, with shadow and live totals side by side. */
export const PositionsReport = z.object({
  positions: z.array(Position),
  totals: z.object({ shadow: PnlTotals, live: PnlTotals }),
  ts: EpochMs,
});
export type PositionsReport = z.infer<typeof PositionsReport>;

/** Order and fill changes since the last `order` event (latest state per order, coalesced). */
export const OrderUpdate = z.object({ orders: z.array(Order), fills: z.array(Fill) });
export type OrderUpdate = z.infer<typeof OrderUpdate>;

/** The live broker; name 'none' when no IB Gateway is configured (live orders are denied). */
export const BrokerStatus = z.object({
  name: z.enum(['ibkr', 'simulated', 'none']),
  connected: z.boolean(),
  accounts: z.array(z.string()),
  /** Every managed account is a paper account (DU…). */
  paper: z.boolean(),
  tradingAllowed: z.boolean(),
  /** Why trading is not allowed; null when it is. */
  reason: z.string().nullable(),
});
export type BrokerStatus = z.infer<typeof BrokerStatus>;

/**
 * The kill sequence after HALTED is persisted: idle (never ran), cancelling, done (every tracked
 * order finished) or timedOut (confirmations missing after the timeout; `message` says how many).
 */
export const KillProgress = z.object({
  phase: z.enum(['idle', 'cancelling', 'done', 'timedOut']),
  /** "3 of 4 cancelled". */
  message: z.string(),
  cancelled: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  timedOut: z.boolean(),
  /** Kill command → reqGlobalCancel written to the socket (or the local sweep when no live broker), ms. */
  latencyMs: z.number().nonnegative().nullable(),
  reason: z.string().nullable(),
  startedAt: EpochMs.nullable(),
  finishedAt: EpochMs.nullable(),
  /** Live symbols moved to shadow by this kill. */
  shadowed: z.array(z.string()),
  /** A step that failed (e.g. reqGlobalCancel while disconnected); trading stays HALTED. */
  errors: z.array(z.string()),
});
export type KillProgress = z.infer<typeof KillProgress>;

export const FlattenReport = z.object({
  /** Every position of the mode(s) is zero. */
  flat: z.boolean(),
  rounds: z.number().int().nonnegative(),
  orders: z.array(Order),
  /** Positions still open when flattening stopped. */
  remaining: z.array(Position),
});
export type FlattenReport = z.infer<typeof FlattenReport>;
// --- end execution ---

// --- backtests (issue 7; docs/backtest.md "In the app"): run history, views, compare, replay today ---
/**
 * What the Backtest panel asks for. The engine turns it into the runner's BacktestParams: 'store'
 * reads the data dir's bars (the watched symbols and SPX), 'sp500' the bundled S&P 500 daily
 * dataset, 'synthetic' the seeded synthetic market's minute bars. No file paths except the policy.
 */
export const BacktestRequest = z
  .object({
    data: z.enum(['store', 'sp500', 'synthetic']),
    symbols: z.array(Symbol).max(20).default([]),
    interval: z.enum(['1m', '1d']).default('1d'),
    /** Range [from, to) in epoch ms; null: the data's own span (required for synthetic). */
    from: EpochMs.nullable().default(null),
    to: EpochMs.nullable().default(null),
    initialCash: z.number().positive().max(1e12).default(100_000),
    slippageBps: z.number().min(0).max(1_000).default(1),
    commission: z.enum(['ib-fixed', 'ib-tiered', 'none']).default('ib-fixed'),
    fillAt: z.enum(['next-open', 'same-close']).default('next-open'),
    allowGaps: z.boolean().default(false),
    /** A kestrel-policy/1 weights file on the engine's machine; null: the bundled demo policy. */
    policy: z.string().trim().min(1).max(1000).nullable().default(null),
    /** Seed of the synthetic market. */
    seed: z.number().int().default(1),
  })
  .strict();
export type BacktestRequest = z.infer<typeof BacktestRequest>;

export const BacktestRunStatus = z.enum(['running', 'done', 'failed', 'cancelled']);
export type BacktestRunStatus = z.infer<typeof BacktestRunStatus>;

/** How a statistic reads: a fraction shown as %, money, a plain number, a count or a duration in ms. */
export const BacktestStatFormat = z.enum(['pct', 'money', 'num', 'int', 'ms']);
export const BacktestStat = z.object({
  key: z.string(),
  label: z.string(),
  format: BacktestStatFormat,
  /** null: undefined for this run (no trades, zero variance, ...). */
  value: z.number().nullable(),
});
export type BacktestStat = z.infer<typeof BacktestStat>;

/** The few numbers the history list shows. */
export const BacktestHeadline = z.object({
  totalReturn: z.number(),
  cagr: z.number().nullable(),
  sharpe: z.number().nullable(),
  maxDrawdown: z.number(),
  trades: z.number().int().nonnegative(),
  benchmarkReturn: z.number(),
  bars: z.number().int().nonnegative(),
});
export type BacktestHeadline = z.infer<typeof BacktestHeadline>;

export const BacktestRunInfo = z.object({
  runId: z.number().int().positive(),
  createdAt: EpochMs,
  finishedAt: EpochMs.nullable(),
  status: BacktestRunStatus,
  request: BacktestRequest,
  /** e.g. "SPX 1d 2000-01-03 – 2020-12-31 · next-open, 1 bps, IB fixed". */
  label: z.string(),
  headline: BacktestHeadline.nullable(),
  error: z.string().nullable(),
});
export type BacktestRunInfo = z.infer<typeof BacktestRunInfo>;

/** Equity, buy-and-hold benchmark and drawdown at one bar (thinned for the panel). */
export const BacktestCurvePoint = z.object({
  ts: EpochMs,
  equity: z.number(),
  benchmark: z.number().nullable(),
  /** Fraction ≤ 0 below the running peak. */
  drawdown: z.number(),
});
export type BacktestCurvePoint = z.infer<typeof BacktestCurvePoint>;
export const BacktestTradeRow = z.object({
  id: z.number().int().nonnegative(),
  symbol: z.string(),
  side: z.enum(['LONG', 'SHORT']),
  qty: z.number(),
  entryTs: EpochMs,
  exitTs: EpochMs,
  entryPrice: z.number(),
  exitPrice: z.number(),
  pnl: z.number(),
  return: z.number(),
});
export type BacktestTradeRow = z.infer<typeof BacktestTradeRow>;

/** A finished run as the panel shows it: stats, a thinned curve and the newest trades. */
export const BacktestView = z.object({
  run: BacktestRunInfo,
  fillModel: z.object({ name: z.string(), description: z.string() }),
  dataRange: z.object({
    source: z.string(),
    firstBarTs: EpochMs.nullable(),
    lastBarTs: EpochMs.nullable(),
    bars: z.number().int().nonnegative(),
  }),
  stats: z.array(BacktestStat),
  curve: z.array(BacktestCurvePoint),
  /** Points in the full equity curve (curve is thinned to at most the asked number). */
  curvePoints: z.number().int().nonnegative(),
  trades: z.array(BacktestTradeRow),
  tradeCount: z.number().int().nonnegative(),
  gaps: z.number().int().nonnegative(),
  perSymbol: z.array(
    z.object({
      symbol: z.string(),
      trades: z.number().int().nonnegative(),
      winRate: z.number().nullable(),
      pnl: z.number(),
      buyHoldReturn: z.number().nullable(),
    }),
  ),
  monthly: z.array(z.object({ year: z.number().int(), month: z.number().int(), return: z.number() })),
});
export type BacktestView = z.infer<typeof BacktestView>;

/** Two runs side by side; curves normalised to 1.0 at each run's first bar. */
export const BacktestComparison = z.object({
  a: BacktestRunInfo,
  b: BacktestRunInfo,
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      format: BacktestStatFormat,
      a: z.number().nullable(),
      b: z.number().nullable(),
      /** b − a; null when either is undefined. */
      diff: z.number().nullable(),
    }),
  ),
  curveA: z.array(z.object({ ts: EpochMs, value: z.number() })),
  curveB: z.array(z.object({ ts: EpochMs, value: z.number() })),
  /** Differences a reader must know before comparing (interval, fill model, data). */
  notes: z.array(z.string()),
});
export type BacktestComparison = z.infer<typeof BacktestComparison>;

export const BacktestExportFormat = z.enum(['html', 'pdf', 'json', 'csv']);
export type BacktestExportFormat = z.infer<typeof BacktestExportFormat>;

export const BacktestProgress = z.object({
  runId: z.number().int().positive(),
  done: z.number().int().nonnegative(),
  total: z.number().int().nonnegative(),
  status: BacktestRunStatus,
});
export type BacktestProgress = z.infer<typeof BacktestProgress>;

/** Replay today, per symbol: the backtester's decisions against the day's shadow and live fills. */
export const ParitySide = z.object({
  /** Orders with fills in the day (a decision is an order; partial fills are merged at their VWAP). */
  fills: z.number().int().nonnegative(),
  matched: z.number().int().nonnegative(),
  /** Mean of (actual − replay) / replay in bps over matched orders, signed so positive is worse (paid more / sold lower). */
  avgPriceDiffBps: z.number().nullable(),
  /** Replay decisions the day did not make. */
  missing: z.number().int().nonnegative(),
  /** Decisions of the day the replay did not make. */
  extra: z.number().int().nonnegative(),
});
export type ParitySide = z.infer<typeof ParitySide>;
export const ParitySymbol = z.object({
  symbol: z.string(),
  bars: z.number().int().nonnegative(),
  replayFills: z.number().int().nonnegative(),
  shadow: ParitySide,
  live: ParitySide,
});
export type ParitySymbol = z.infer<typeof ParitySymbol>;
export const ParityReport = z.object({
  /** New York trading day, YYYY-MM-DD. */
  day: z.string(),
  generatedAt: EpochMs,
  /** Orders match when on the same symbol and side within this many ms. */
  toleranceMs: z.number().int().nonnegative(),
  fillModel: z.string(),
  symbols: z.array(ParitySymbol),
  /** Symbols skipped and why (no bars today, ...). */
  notes: z.array(z.string()),
});
export type ParityReport = z.infer<typeof ParityReport>;
// --- end backtests ---
// --- settings (issue 8; docs/settings.md) ---
/** API keys the engine knows; their values never cross the contract, only whether they are set. */
export const SECRET_KEY_NAMES = [
  'POLYGON_API_KEY',
  'ALPHAVANTAGE_API_KEY',
  'FINNHUB_API_KEY',
  'ALPACA_API_KEY_ID',
  'ALPACA_API_SECRET_KEY',
] as const;
export const SecretKeyName = z.enum(SECRET_KEY_NAMES);
export type SecretKeyName = z.infer<typeof SecretKeyName>;
export const KeyStatus = z.object({
  name: SecretKeyName,
  set: z.boolean(),
  /** env beats stored; null when unset. */
  source: z.enum(['env', 'stored']).nullable(),
});
export type KeyStatus = z.infer<typeof KeyStatus>;
export const SETTINGS_SECTIONS = ['ib', 'providers', 'risk', 'signals', 'kill', 'alerts'] as const;
export const SettingsSection = z.enum(SETTINGS_SECTIONS);
export type SettingsSection = z.infer<typeof SettingsSection>;
/** Plan limits; null is "no limit". The ranges are checked in the engine (src/main/settings/schema.ts). */
export const ProviderPlanView = z.object({
  perMinute: z.number().nullable(),
  perDay: z.number().nullable(),
  costPerRequestUsd: z.number(),
});
export type ProviderPlanView = z.infer<typeof ProviderPlanView>;
/** What getSettings shows: values with every secret masked (`{set: true}`, never the value). */
export const SettingsView = z.object({
  host: z.enum(['electron', 'headless']),
  /** Where saved settings are mirrored for headless and team use. */
  configFile: z.string(),
  /** false in headless mode: keys come from the environment; `keysNote` says how. */
  keysWritable: z.boolean(),
  keysNote: z.string().nullable(),
  /** Sections saved since start that take effect only after a restart. */
  restartPending: z.array(SettingsSection),
  ib: z.object({ host: z.string(), port: z.number(), clientId: z.number(), account: z.string().nullable() }),
  providers: z.object({
    /** In priority order. */
    enabled: z.array(ProviderName),
    available: z.array(ProviderName),
    plans: z.record(z.string(), ProviderPlanView),
  }),
  risk: z.object({
    maxOrderQuantity: z.number(),
    maxOrderNotional: z.number(),
    maxPositionPerSymbol: z.number(),
    maxGrossExposure: z.number(),
    dailyLossLimit: z.number(),
    ordersPerSecond: z.number(),
    orderBurst: z.number(),
    priceBandBps: z.number(),
    duplicateWindowMs: z.number(),
    maxQuoteAgeMs: z.number().nullable(),
  }),
  signals: z.object({
    defaultThreshold: z.number(),
    thresholds: z.record(z.string(), z.number()),
    cooldownMs: z.number(),
    maxFeatureAgeMs: z.number(),
    allowExtendedHours: z.boolean(),
  }),
  kill: z.object({
    rejectStormCount: z.number(),
    rejectStormWindowMs: z.number(),
    haltOnDisconnect: z.boolean(),
    liveToShadow: z.boolean(),
  }),
  alerts: z.object({
    channels: z.array(
      z.object({
        type: z.enum(['webhook', 'slack', 'discord']),
        /** Write-only: the URL is a secret. `target` is its masked host for recognition. */
        url: z.object({ set: z.literal(true) }),
        target: z.string(),
        minLevel: AlertLevel,
        kinds: z.array(AlertKind).nullable(),
      }),
    ),
  }),
  keys: z.array(KeyStatus),
});
export type SettingsView = z.infer<typeof SettingsView>;
/** The answer to updateSettings, setKey and clearKey. */
export const SettingsChange = z.object({
  section: z.union([SettingsSection, z.literal('keys')]),
  /** Dotted paths of the fields that changed; empty when the values were the same. */
  changed: z.array(z.string()),
  /** 'runtime': in effect now; 'restart': saved, in effect after a restart. */
  applied: z.enum(['runtime', 'restart', 'none']),
  message: z.string(),
  settings: SettingsView,
});
export type SettingsChange = z.infer<typeof SettingsChange>;
// --- end settings ---
