/**
 * The one contract between the engine and any client. Each command has a zod input and output
 * schema; each event a payload schema. Both transports (Electron IPC and the loopback WebSocket)
 * carry exactly these shapes. Types come from z.infer so schema and type cannot drift.
 */
import { z } from 'zod';
import { ERROR_CODES, IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL, KestrelError } from './errors';
import {
  BackfillJob,
  BackfillJobState,
  BackfillStatus,
  DayGapStateSchema,
  BarsUpdate,
  ChartHistory,
  ChartInterval,
  Alert,
  AlertChannelStatus,
  AlertHistory,
  AlertTestResult,
  EpochMs,
  GateReport,
  MarketTick,
  ProviderName,
  ProviderRow,
  ProviderSwitched,
  Signal,
  SignalStats,
  Symbol,
  SymbolInfo,
  SymbolMode,
  TradingState,
  TradingStateName,
  BrokerStatus,
  FlattenReport,
  KillProgress,
  Order,
  OrderMode,
  OrderSide,
  OrderType,
  OrderUpdate,
  Fill,
  PositionsReport,
  TimeInForce,
  BacktestComparison,
  BacktestExportFormat,
  BacktestProgress,
  BacktestRequest,
  BacktestRunInfo,
  BacktestView,
  ParityReport,
  SecretKeyName,
  SettingsChange,
  SettingsSection,
  SettingsView,
} from './domain';

const NoInput = z.object({}).strict().optional();
const DAY_KEY = /^\d{4}-\d{2}-\d{2}$/;
/** Dead backfill jobs by id, or all of them. */
const BackfillSelection = z.union([
  z.object({ ids: z.array(z.number().int().positive()).min(1).max(10_000) }).strict(),
  z.object({ all: z.literal(true) }).strict(),
]);

export const Snapshot = z.object({
  version: z.string(),
  host: z.enum(['electron', 'headless']),
  serverTime: EpochMs,
  uptimeS: z.number().nonnegative(),
  tradingState: TradingState,
  symbols: z.array(SymbolInfo),
  alerts: z.array(Alert),
  providers: z.array(ProviderRow),
  ticks: z.array(MarketTick),
  activeProviders: z.record(z.string(), ProviderName.nullable()),
});
export type Snapshot = z.infer<typeof Snapshot>;

export const commands = {
  getSnapshot: { input: NoInput, output: Snapshot },
  getTradingState: { input: NoInput, output: TradingState },
  engageKillSwitch: {
    input: z.object({ reason: z.string().trim().min(1).max(500) }).strict(),
    output: TradingState,
  },
  rearm: {
    // The literal `true` makes re-arming impossible without an explicit confirmation.
    input: z.object({ confirm: z.literal(true), reason: z.string().max(500).optional() }).strict(),
    output: TradingState,
  },
  listSymbols: { input: NoInput, output: z.array(SymbolInfo) },
  setSymbolMode: {
    input: z
      .object({
        symbol: Symbol,
        mode: SymbolMode,
        reason: z.string().max(500).optional(),
        /** Live without a connected paper account or passing gates: the trader confirms; audited. */
        override: z
          .object({ confirm: z.literal(true), reason: z.string().trim().min(1).max(500) })
          .strict()
          .optional(),
      })
      .strict(),
    output: SymbolInfo,
  },
  /** Starts watching a symbol (in shadow); it is streamed from every configured provider. */
  addSymbol: { input: z.object({ symbol: Symbol }).strict(), output: SymbolInfo },
  listProviders: { input: NoInput, output: z.array(ProviderRow) },
  failover: {
    input: z.object({ symbol: Symbol, to: ProviderName }).strict(),
    output: ProviderSwitched,
  },
  getPromotionGates: {
    // Exactly one target: a provider, or a symbol before it may go live.
    input: z.union([z.object({ provider: ProviderName }).strict(), z.object({ symbol: Symbol }).strict()]),
    output: GateReport,
  },
  /** Chart history from SQLite plus the bars not yet written and the forming one; see docs/chart.md. */
  getBars: {
    input: z
      .object({
        symbol: Symbol,
        interval: ChartInterval,
        fromTs: EpochMs.optional(),
        toTs: EpochMs.optional(),
        /** Newest `limit` bars of the window (default 2000). */
        limit: z.number().int().min(1).max(20_000).optional(),
      })
      .strict()
      .refine((i) => i.fromTs === undefined || i.toTs === undefined || i.fromTs < i.toTs, {
        message: 'fromTs must be before toTs',
      }),
    output: ChartHistory,
  },
  // --- signals (issue 5) ---
  /** Recent signal decisions from SQLite, newest first; `symbol` also matches pairs containing it. */
  listSignals: {
    input: z
      .object({ symbol: Symbol.optional(), limit: z.number().int().min(1).max(5000).optional() })
      .strict()
      .optional(),
    output: z.array(Signal),
  },
  /** Decision latency p50/p95/p99, pass/block counts by reason, inference errors, gate settings. */
  getSignalStats: { input: NoInput, output: SignalStats },
  // --- end signals ---
  // --- backfill (issue 4; docs/backfill.md) ---
  /** Per New York trading day: expected and stored regular-session minutes, missing ranges, state. */
  getGapState: {
    input: z
      .object({
        symbol: Symbol,
        fromDay: z.string().regex(DAY_KEY, 'days look like 2024-03-12').optional(),
        toDay: z.string().regex(DAY_KEY, 'days look like 2024-03-12').optional(),
      })
      .strict(),
    output: z.array(DayGapStateSchema),
  },
  /** Backfill jobs, newest first; state 'dead' is the dead-letter queue. */
  listBackfillJobs: {
    input: z
      .object({ state: BackfillJobState.optional(), limit: z.number().int().min(1).max(5000).optional() })
      .strict()
      .optional(),
    output: z.array(BackfillJob),
  },
  /** Dead jobs back to the queue (within the tier caps); all or nothing on unknown or non-dead ids. */
  requeueBackfill: {
    input: BackfillSelection,
    output: z.object({ requeued: z.number().int().nonnegative(), skipped: z.number().int().nonnegative() }),
  },
  /** Deletes dead jobs only; their gaps stay visible in getGapState. */
  purgeBackfill: { input: BackfillSelection, output: z.object({ purged: z.number().int().nonnegative() }) },
  /** Queue depths per tier, caps and the dead-letter count now (the `backfill` event only says when they change). */
  getBackfillStatus: { input: NoInput, output: BackfillStatus },
  // --- end backfill ---
  // --- execution (issue 6; docs/execution.md) ---
  /** Orders newest first; status 'working' (default 'all') keeps only working ones. */
  listOrders: {
    input: z
      .object({
        mode: OrderMode.optional(),
        status: z.enum(['working', 'all']).optional(),
        symbol: Symbol.optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .optional(),
    output: z.array(Order),
  },
  /** Fills newest first. */
  listFills: {
    input: z
      .object({
        mode: OrderMode.optional(),
        symbol: Symbol.optional(),
        clientOrderId: z.string().max(64).optional(),
        limit: z.number().int().min(1).max(10_000).optional(),
      })
      .strict()
      .optional(),
    output: z.array(Fill),
  },
  /** Positions per mode and symbol with P&L, and the shadow and live totals. */
  listPositions: { input: z.object({ mode: OrderMode.optional() }).strict().optional(), output: PositionsReport },
  /**
   * The order ticket. mode defaults to the symbol's mode (an 'off' symbol is refused; live needs the
   * symbol in live). Goes through the same risk checks: a denial is returned as a DENIED order with
   * `denyCode` and `reason`.
   */
  placeOrder: {
    input: z
      .object({
        symbol: Symbol,
        side: OrderSide,
        quantity: z.number().int().positive().max(1_000_000),
        type: OrderType,
        limitPrice: z.number().positive().finite().optional(),
        tif: TimeInForce.optional(),
        mode: OrderMode.optional(),
      })
      .strict()
      .refine((o) => (o.type === 'LMT') === (o.limitPrice !== undefined), {
        message: 'a LMT order needs limitPrice and a MKT order must not have one',
      }),
    output: Order,
  },
  /** Cancels a working order; passes in every trading state, HALTED included. */
  cancelOrder: { input: z.object({ clientOrderId: z.string().min(1).max(64) }).strict(), output: Order },
  /** Reduce-only market orders repeated until flat (or a timeout); a separate confirmed action. */
  flattenAll: {
    input: z.object({ confirm: z.literal(true), mode: OrderMode.optional() }).strict(),
    output: FlattenReport,
  },
  getBrokerStatus: { input: NoInput, output: BrokerStatus },
  getKillProgress: { input: NoInput, output: KillProgress },
  // --- end execution ---
  // --- alerts (issue 8; docs/alerts.md) ---
  /** Alert history from SQLite, newest first; `before` is the id of the oldest alert already shown. */
  listAlerts: {
    input: z
      .object({ limit: z.number().int().min(1).max(1000).optional(), before: z.string().min(1).max(64).optional() })
      .strict()
      .optional(),
    output: AlertHistory,
  },
  ackAlert: { input: z.object({ id: z.string().min(1).max(64) }).strict(), output: z.object({ unread: z.number() }) },
  ackAllAlerts: { input: NoInput, output: z.object({ acked: z.number(), unread: z.number() }) },
  /** Outbound channels (webhook, Slack, Discord) with their delivery counters; URLs masked. */
  getAlertChannels: { input: NoInput, output: z.array(AlertChannelStatus) },
  /** Sends one test alert through the channel now (no routing, dedup or rate limit) and reports the HTTP result. */
  testAlertChannel: { input: z.object({ index: z.number().int().min(0).max(99) }).strict(), output: AlertTestResult },
  // --- end alerts ---
  // --- backtests (issue 7; docs/backtest.md "In the app") ---
  /** Starts a backtest in a worker thread; one at a time (INVALID_STATE while another runs). Progress: `backtestProgress`. */
  runBacktest: { input: BacktestRequest, output: z.object({ runId: z.number().int().positive() }) },
  /** Asks a running backtest to stop; it ends 'cancelled'. INVALID_STATE when it is not running. */
  cancelBacktest: { input: z.object({ runId: z.number().int().positive() }).strict(), output: BacktestRunInfo },
  /** Run history from SQLite, newest first. */
  listBacktests: {
    input: z
      .object({ limit: z.number().int().min(1).max(1000).optional() })
      .strict()
      .optional(),
    output: z.array(BacktestRunInfo),
  },
  /** A run: its stats, its equity curve thinned to `points` (default 1500) and its newest `trades` (default 200). */
  getBacktest: {
    input: z
      .object({
        runId: z.number().int().positive(),
        points: z.number().int().min(2).max(100_000).optional(),
        trades: z.number().int().min(0).max(100_000).optional(),
      })
      .strict(),
    output: BacktestView,
  },
  /** Two finished runs side by side. */
  compareBacktests: {
    input: z.object({ a: z.number().int().positive(), b: z.number().int().positive() }).strict(),
    output: BacktestComparison,
  },
  /** Writes the run's reports into <dataDir>/reports/<runId>/ and returns the paths written. */
  exportBacktest: {
    input: z
      .object({ runId: z.number().int().positive(), formats: z.array(BacktestExportFormat).min(1).max(4) })
      .strict(),
    output: z.object({ dir: z.string(), files: z.array(z.string()) }),
  },
  /** Today's stored 1m bars of the watched symbols through the backtester, against the day's shadow and live fills. */
  replayToday: { input: NoInput, output: ParityReport },
  // --- end backtests ---
  // --- settings (issue 8; docs/settings.md) ---
  /** Every editable setting, with keys and alert channel URLs masked (`{set: true}`), never their values. */
  getSettings: { input: NoInput, output: SettingsView },
  /**
   * Replaces one section's values. The engine validates them (INVALID_INPUT names the field path),
   * audits each change, mirrors it to kestrel.config.json and applies it now or after a restart.
   */
  updateSettings: {
    input: z.object({ section: SettingsSection, values: z.record(z.string(), z.unknown()) }).strict(),
    output: SettingsChange,
  },
  /** Stores an API key encrypted (Electron safeStorage); refused in headless mode, which reads the environment. */
  setKey: {
    input: z.object({ name: SecretKeyName, value: z.string().trim().min(1).max(4096) }).strict(),
    output: SettingsChange,
  },
  clearKey: { input: z.object({ name: SecretKeyName }).strict(), output: SettingsChange },
  // --- end settings ---
} as const;

export const events = {
  tradingState: TradingState,
  symbolMode: SymbolInfo,
  alert: Alert,
  heartbeat: z.object({
    ts: EpochMs,
    uptimeS: z.number().nonnegative(),
    tradingState: TradingStateName,
    /** The New York session at ts (for the status-bar clock); absent outside the calendar's years. */
    session: z.enum(['pre', 'regular', 'post', 'closed']).optional(),
  }),
  /** Latest prices, coalesced to at most 10 Hz. */
  ticks: z.array(MarketTick),
  /** Provider rows, about once a second. */
  providers: z.array(ProviderRow),
  providerSwitched: ProviderSwitched,
  /** Live 1-minute bars per symbol, coalesced to at most 4 Hz per symbol. */
  bars: BarsUpdate,
  /** One signal decision (passed or blocked), as soon as it is made: at most one per bar per symbol or pair. */
  signal: Signal,
  /** Backfill queue depths per tier and the dead-letter count, at most once a second. */
  backfill: BackfillStatus,
  // --- execution ---
  /** Order and fill changes, coalesced (latest state per order) to at most 10 Hz. */
  order: OrderUpdate,
  /** Positions and P&L totals, at most 2 Hz. */
  positions: PositionsReport,
  /** The live broker's status whenever it changes. */
  broker: BrokerStatus,
  /** The kill sequence: "n of m cancelled", timeout, kill latency. */
  killProgress: KillProgress,
  // --- end execution ---
  // --- backtests ---
  /** A backtest's bars done of total, at most 10 Hz, and once more when it ends. */
  backtestProgress: BacktestProgress,
  // --- end backtests ---
  // --- settings ---
  /** The settings after a saved change (masked like getSettings). */
  settings: SettingsView,
  // --- end settings ---
} as const;

export type Commands = typeof commands;
export type CommandName = keyof Commands;
export type CommandInput<C extends CommandName> = z.input<Commands[C]['input']>;
export type CommandOutput<C extends CommandName> = z.output<Commands[C]['output']>;
export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const commandNames = Object.keys(commands) as CommandName[];
export const eventNames = Object.keys(events) as EventName[];

export function isCommandName(name: unknown): name is CommandName {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(commands, name);
}

export const ErrorCode = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const CommandErrorBody = z.object({ code: ErrorCode, message: z.string() });
export type CommandErrorBody = z.infer<typeof CommandErrorBody>;

/** Frames on the wire. Electron IPC carries the same request and response objects. */
export const RequestId = z.union([z.string().max(64), z.number().int().safe()]);
export const RequestFrame = z.object({ id: RequestId, cmd: z.string().max(64), input: z.unknown().optional() });
export type RequestFrame = z.infer<typeof RequestFrame>;

export type ResponseFrame =
  | { id: z.infer<typeof RequestId> | null; ok: true; result: unknown }
  | { id: z.infer<typeof RequestId> | null; ok: false; error: CommandErrorBody };

export const ResponseFrameSchema = z.union([
  z.object({ id: RequestId.nullable(), ok: z.literal(true), result: z.unknown() }),
  z.object({ id: RequestId.nullable(), ok: z.literal(false), error: CommandErrorBody }),
]);

export const EventFrame = z.object({ event: z.string(), payload: z.unknown() });
export type EventFrame = { event: EventName; payload: unknown };

/** What the renderer uses, whichever transport carries it. */
export interface KestrelClient {
  invoke<C extends CommandName>(cmd: C, input: CommandInput<C>): Promise<CommandOutput<C>>;
  on<E extends EventName>(event: E, handler: (payload: EventPayload<E>) => void): () => void;
}

export { IPC_COMMAND_CHANNEL, IPC_EVENT_CHANNEL, KestrelError };
