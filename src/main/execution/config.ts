/**
 * The `execution` section of the config (docs/execution.md): which live broker, risk limits, sizing
 * per symbol, the simulated broker, the kill sequence and flatten. Environment:
 * KESTREL_LIVE_BROKER (ibkr|none), KESTREL_IB_ACCOUNT, KESTREL_KILL_TIMEOUT_MS,
 * KESTREL_DAILY_LOSS_LIMIT, KESTREL_SIM_LATENCY_MS.
 */
import { z } from 'zod';
import { Symbol } from '../../shared/domain';
import { DEFAULT_RISK_CONFIG } from './risk';

export const SizingRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixedQuantity'), quantity: z.number().int().positive() }).strict(),
  z.object({ kind: z.literal('fixedNotional'), notional: z.number().positive().finite() }).strict(),
  z.object({ kind: z.literal('percentEquity'), percent: z.number().positive().max(100) }).strict(),
]);

const PositiveInt = z.number().int().positive();

export const RiskConfigSchema = z.object({
  maxOrderQuantity: PositiveInt,
  maxOrderNotional: z.number().positive(),
  maxPositionPerSymbol: PositiveInt,
  maxGrossExposure: z.number().positive(),
  dailyLossLimit: z.number().positive(),
  ordersPerSecond: z.number().positive().max(50),
  orderBurst: PositiveInt,
  priceBandBps: z.number().positive(),
  duplicateWindowMs: z.number().int().min(0),
  maxQuoteAgeMs: z.number().int().positive().nullable(),
  rejectStormCount: PositiveInt,
  rejectStormWindowMs: PositiveInt,
});

export const ExecutionConfig = z.object({
  /**
   * Where live orders go. 'ibkr' uses the engine's one IB Gateway connection (created for it even
   * when IBKR is not a market-data provider); 'none' denies live orders with a reason.
   */
  liveBroker: z.enum(['ibkr', 'none']),
  /** IB account to route to; null: the only managed account. */
  account: z.string().min(1).nullable(),
  risk: RiskConfigSchema,
  sizing: z.object({
    default: SizingRuleSchema,
    perSymbol: z.record(Symbol, SizingRuleSchema),
    /** Dollars of equity per mode for %-of-equity sizing. */
    equity: z.object({ shadow: z.number().positive(), live: z.number().positive() }),
    /** A SELL signal without a long position opens a short only when true. */
    allowShort: z.boolean(),
  }),
  simulated: z.object({
    slippageBps: z.number().min(0).max(1000),
    commission: z.enum(['ib-fixed', 'ib-tiered']),
    latencyMs: z.number().int().min(0).max(60_000),
  }),
  kill: z.object({
    /** Cancel confirmations are awaited this long; then the progress shows timedOut. */
    cancelTimeoutMs: z.number().int().min(100).max(600_000),
    /** Move every live symbol to shadow when the kill switch latches. */
    liveToShadow: z.boolean(),
    /** Halt when the broker disconnects while live orders are working. */
    haltOnDisconnect: z.boolean(),
  }),
  flatten: z.object({
    timeoutMs: z.number().int().min(100).max(600_000),
    maxRounds: z.number().int().min(1).max(100),
  }),
});
export type ExecutionConfig = z.infer<typeof ExecutionConfig>;

export const DEFAULT_EXECUTION: ExecutionConfig = {
  liveBroker: 'none',
  account: null,
  risk: { ...DEFAULT_RISK_CONFIG },
  sizing: {
    default: { kind: 'fixedQuantity', quantity: 10 },
    perSymbol: {},
    equity: { shadow: 100_000, live: 100_000 },
    allowShort: false,
  },
  simulated: { slippageBps: 1, commission: 'ib-fixed', latencyMs: 0 },
  kill: { cancelTimeoutMs: 10_000, liveToShadow: true, haltOnDisconnect: true },
  flatten: { timeoutMs: 15_000, maxRounds: 5 },
};

/** kestrel.config.json: every field optional, one level deep. */
export const ExecutionFileConfig = z
  .object({
    liveBroker: z.enum(['ibkr', 'none']),
    account: z.string().min(1).nullable(),
    risk: RiskConfigSchema.partial().strict(),
    sizing: z
      .object({
        default: SizingRuleSchema,
        perSymbol: z.record(Symbol, SizingRuleSchema),
        equity: z.object({ shadow: z.number().positive(), live: z.number().positive() }).partial().strict(),
        allowShort: z.boolean(),
      })
      .partial()
      .strict(),
    simulated: ExecutionConfig.shape.simulated.partial().strict(),
    kill: ExecutionConfig.shape.kill.partial().strict(),
    flatten: ExecutionConfig.shape.flatten.partial().strict(),
  })
  .partial()
  .strict();
export type ExecutionFileConfig = z.infer<typeof ExecutionFileConfig>;

function envNumber(raw: string | undefined): number | undefined {
  return raw === undefined || raw.trim() === '' ? undefined : Number(raw);
}

/**
 * Environment beats the file, which beats the defaults; Config validates the result. The live
 * broker defaults to 'ibkr' when a gateway port was given (flag or KESTREL_IB_PORT) or IBKR is a
 * market-data provider, else 'none': without a gateway there is nowhere to send live orders.
 */
export function executionConfig(
  env: Record<string, string | undefined>,
  file: ExecutionFileConfig,
  hints: { ibPortGiven: boolean; ibkrProvider: boolean },
): unknown {
  const d = DEFAULT_EXECUTION;
  const envBroker = env.KESTREL_LIVE_BROKER?.trim().toLowerCase();
  const liveBroker =
    envBroker && envBroker !== ''
      ? envBroker
      : (file.liveBroker ?? (hints.ibPortGiven || hints.ibkrProvider ? 'ibkr' : d.liveBroker));
  const lossLimit = envNumber(env.KESTREL_DAILY_LOSS_LIMIT);
  return {
    liveBroker,
    account: env.KESTREL_IB_ACCOUNT ?? file.account ?? d.account,
    risk: { ...d.risk, ...file.risk, ...(lossLimit !== undefined ? { dailyLossLimit: lossLimit } : {}) },
    sizing: {
      default: file.sizing?.default ?? d.sizing.default,
      perSymbol: file.sizing?.perSymbol ?? d.sizing.perSymbol,
      equity: { ...d.sizing.equity, ...file.sizing?.equity },
      allowShort: file.sizing?.allowShort ?? d.sizing.allowShort,
    },
    simulated: {
      ...d.simulated,
      ...file.simulated,
      ...(envNumber(env.KESTREL_SIM_LATENCY_MS) !== undefined
        ? { latencyMs: envNumber(env.KESTREL_SIM_LATENCY_MS) }
        : {}),
    },
    kill: {
      ...d.kill,
      ...file.kill,
      ...(envNumber(env.KESTREL_KILL_TIMEOUT_MS) !== undefined
        ? { cancelTimeoutMs: envNumber(env.KESTREL_KILL_TIMEOUT_MS) }
        : {}),
    },
    flatten: { ...d.flatten, ...file.flatten },
  };
}
