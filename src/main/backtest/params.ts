/**
 * What a backtest is asked to do: the data source, the range, the policy and the fill model. One
 * zod schema for the CLI, the worker message and (later) the app's contract, so every surface
 * validates the same way. Imports only zod and the shared domain, so it can move to src/shared.
 */
import { z } from 'zod';
import { Symbol } from '../../shared/domain';

export const BacktestSource = z.discriminatedUnion('kind', [
  /** A bars CSV (ts_ms or ISO times, OHLCV, optional symbol column). */
  z.object({ kind: z.literal('csv'), file: z.string().min(1) }),
  /** Stored bars in the data dir's kestrel.db. */
  z.object({ kind: z.literal('sqlite'), dataDir: z.string().min(1) }),
  /** The bundled S&P 500 daily bars (symbol SPX), read from the resources dir without a database. */
  z.object({ kind: z.literal('dataset'), name: z.literal('sp500-daily') }),
  /** The seeded synthetic market's 1-minute bars (NYSE sessions): demos, benchmarks, worker tests. */
  z.object({ kind: z.literal('synthetic'), seed: z.number().int() }),
]);
export type BacktestSource = z.infer<typeof BacktestSource>;

export const SizingRuleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixedQuantity'), quantity: z.number().int().positive() }),
  z.object({ kind: z.literal('fixedNotional'), notional: z.number().positive() }),
  z.object({ kind: z.literal('percentEquity'), percent: z.number().gt(0).max(100) }),
]);

/** Overrides of the live risk limits (src/main/execution/risk.ts); anything left out keeps the backtest default. */
export const RiskOverrides = z
  .object({
    maxOrderQuantity: z.number().positive(),
    maxOrderNotional: z.number().positive(),
    maxPositionPerSymbol: z.number().positive(),
    maxGrossExposure: z.number().positive(),
    dailyLossLimit: z.number().positive(),
    ordersPerSecond: z.number().positive(),
    orderBurst: z.number().positive(),
    priceBandBps: z.number().positive(),
    duplicateWindowMs: z.number().int().min(0),
  })
  .partial()
  .strict();

export const BacktestParams = z
  .object({
    source: BacktestSource,
    /** Required for sqlite and synthetic; for a CSV, a subset of its symbols (all when empty). */
    symbols: z.array(Symbol).default([]),
    /** 1m or 1d; a CSV without it is read as daily when its bars are a day or more apart. */
    interval: z.enum(['1m', '1d']).nullable().default(null),
    /** Range [from, to) in epoch ms; null: the data's own span. */
    from: z.number().int().nullable().default(null),
    to: z.number().int().nullable().default(null),
    initialCash: z.number().positive().default(100_000),
    /** A kestrel-policy/1 weights file; null: the bundled single-symbol demo policy. */
    policy: z.string().min(1).nullable().default(null),
    slippageBps: z.number().min(0).max(1_000).default(1),
    commission: z.enum(['ib-fixed', 'ib-tiered', 'none']).default('ib-fixed'),
    /** next-open (default): a decision at bar t fills at the open of t+1. same-close: at the close of t. */
    fillAt: z.enum(['next-open', 'same-close']).default('next-open'),
    /** Partial fills: at most this many shares per order per bar; null fills whole orders. */
    maxFillPerBar: z.number().int().positive().nullable().default(null),
    allowGaps: z.boolean().default(false),
    /** SELL opens a short from flat; off: SELL only closes a long. */
    allowShort: z.boolean().default(false),
    /** null: 95 % of equity split evenly between the symbols. */
    sizing: SizingRuleSchema.nullable().default(null),
    /** Gate confidence threshold; null: the live default (0.6). */
    threshold: z.number().min(0).max(1).nullable().default(null),
    /** Gate cooldown per (symbol, side); null: the live default (60 s). */
    cooldownMs: z.number().int().min(0).nullable().default(null),
    risk: RiskOverrides.default({}),
    riskFreeRate: z.number().min(-1).max(1).default(0),
  })
  .strict()
  .superRefine((p, ctx) => {
    if ((p.source.kind === 'sqlite' || p.source.kind === 'synthetic') && p.symbols.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['symbols'], message: `a ${p.source.kind} backtest needs symbols` });
    }
    if (p.source.kind === 'synthetic' && (p.from === null || p.to === null)) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a synthetic backtest needs from and to' });
    }
    if (p.from !== null && p.to !== null && p.to <= p.from) {
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
    }
    if (new Set(p.symbols).size !== p.symbols.length) {
      ctx.addIssue({ code: 'custom', path: ['symbols'], message: 'a symbol is listed twice' });
    }
  });
/** Validated, defaults filled. */
export type BacktestParams = z.infer<typeof BacktestParams>;
/** What callers write: defaults may be left out. */
export type BacktestParamsInput = z.input<typeof BacktestParams>;

/** Parses params; the error names the first bad field. */
export function parseParams(value: unknown): BacktestParams {
  const r = BacktestParams.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new Error(`invalid backtest parameters: ${where}${issue?.message ?? 'invalid'}`);
}
