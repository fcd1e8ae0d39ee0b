/**
 * Pre-trade risk checks. Pure apart from its own counters (rate bucket, recent orders, rejects),
 * all on the injected Clock. Every denial carries a reason code and a sentence for the trader.
 * Cancels never come here: they always pass.
 *
 * Trading states: ACTIVE trades; REDUCING accepts only exposure-reducing orders; HALTED denies
 * new orders except the kill switch's confirmed flatten (origin 'flatten', exposure-reducing).
 */
import type { TradingStateName } from '../../shared/domain';
import type { Clock } from '../clock';
import type { OrderMode, OrderRequest } from './types';

export type RiskReason =
  | 'INVALID_ORDER'
  | 'TRADING_HALTED'
  | 'REDUCING_ONLY'
  | 'REDUCE_ONLY_WOULD_INCREASE'
  | 'NO_QUOTE'
  | 'STALE_QUOTE'
  | 'MAX_ORDER_QUANTITY'
  | 'MAX_ORDER_NOTIONAL'
  | 'PRICE_BAND'
  | 'MAX_POSITION'
  | 'MAX_GROSS_EXPOSURE'
  | 'DAILY_LOSS_LIMIT'
  | 'DUPLICATE_ORDER'
  | 'RATE_LIMIT';

export interface RiskConfig {
  /** Shares per order. */
  maxOrderQuantity: number;
  /** Dollars per order (limit price for LMT, last quote for MKT). */
  maxOrderNotional: number;
  /** Absolute shares per symbol after the order, counting working orders on the same side. */
  maxPositionPerSymbol: number;
  /** Dollars: Σ |position| × mark in the order's mode, after the order. */
  maxGrossExposure: number;
  /** Dollars, positive: a daily P&L at or below −limit denies new exposure; in live mode it halts. */
  dailyLossLimit: number;
  /** Token bucket: sustained orders per second and burst (IB allows 50 messages/s in total). */
  ordersPerSecond: number;
  orderBurst: number;
  /** A limit price further than this from the last quote is a fat finger. */
  priceBandBps: number;
  /** Same mode/symbol/side/quantity within this window is a duplicate. 0 disables. */
  duplicateWindowMs: number;
  /** A quote older than this is not a reference price. null disables the check (backtests). */
  maxQuoteAgeMs: number | null;
  /** N broker rejects within M ms trigger the halt callback. */
  rejectStormCount: number;
  rejectStormWindowMs: number;
}

export const DEFAULT_RISK_CONFIG: RiskConfig = {
  maxOrderQuantity: 1_000,
  maxOrderNotional: 50_000,
  maxPositionPerSymbol: 2_000,
  maxGrossExposure: 200_000,
  dailyLossLimit: 2_000,
  ordersPerSecond: 5,
  orderBurst: 5,
  priceBandBps: 300,
  duplicateWindowMs: 2_000,
  maxQuoteAgeMs: 10_000,
  rejectStormCount: 5,
  rejectStormWindowMs: 10_000,
};

/** What the order manager knows at check time about the order's mode and symbol. */
export interface RiskContext {
  tradingState: TradingStateName;
  /** Reference price from the last quote (mid or last) and its time; null when there is none. */
  quote: { price: number; ts: number } | null;
  /** Signed position in the order's mode. */
  position: number;
  /** Remaining shares of working orders for this mode and symbol. */
  openBuyQty: number;
  openSellQty: number;
  /** Σ |position| × mark in the order's mode. */
  grossExposure: number;
  /** Daily P&L in the order's mode. */
  dailyPnl: number;
}

export type RiskDecision = { ok: true } | { ok: false; reason: RiskReason; message: string };

export interface RiskEngineDeps {
  clock: Clock;
  config?: Partial<RiskConfig>;
  /** Asks for HALTED (daily loss in live mode, reject storm). Called once per breach. */
  requestHalt?: (reason: string) => void;
}

/** Whether an order only shrinks the position, counting working orders on the same side. */
export function reducesExposure(order: Pick<OrderRequest, 'side' | 'quantity'>, ctx: RiskContext): boolean {
  if (order.side === 'SELL') return ctx.position > 0 && order.quantity + ctx.openSellQty <= ctx.position + 1e-9;
  return ctx.position < 0 && order.quantity + ctx.openBuyQty <= -ctx.position + 1e-9;
}

export class RiskEngine {
  private cfg: RiskConfig;
  private tokens: number;
  private lastRefill: number;
  private readonly recent: { mode: OrderMode; symbol: string; side: string; quantity: number; ts: number }[] = [];
  private readonly rejects: number[] = [];
  private lossHaltRequested = false;

  constructor(private readonly deps: RiskEngineDeps) {
    this.cfg = { ...DEFAULT_RISK_CONFIG, ...deps.config };
    this.tokens = this.cfg.orderBurst;
    this.lastRefill = deps.clock.now();
  }

  config(): RiskConfig {
    return { ...this.cfg };
  }

  updateConfig(patch: Partial<RiskConfig>): void {
    this.cfg = { ...this.cfg, ...patch };
    this.tokens = Math.min(this.tokens, this.cfg.orderBurst);
  }

  /** Runs every check in order; the first failure is the reason. A pass consumes a rate token. */
  check(order: OrderRequest, ctx: RiskContext): RiskDecision {
    const now = this.deps.clock.now();
    const c = this.cfg;
    const invalid = invalidOrder(order);
    if (invalid) return deny('INVALID_ORDER', invalid);

    const reducing = reducesExposure(order, ctx);
    if (order.reduceOnly && !reducing)
      return deny(
        'REDUCE_ONLY_WOULD_INCREASE',
        `reduce-only ${order.side} ${order.quantity} would not only reduce a position of ${ctx.position}`,
      );
    if (ctx.tradingState === 'HALTED' && !(order.origin === 'flatten' && reducing))
      return deny('TRADING_HALTED', 'trading is HALTED: new orders are denied (cancels still pass)');
    if (ctx.tradingState === 'REDUCING' && !reducing)
      return deny('REDUCING_ONLY', `trading is REDUCING: only orders that reduce the ${order.symbol} position pass`);

    if (order.quantity > c.maxOrderQuantity)
      return deny('MAX_ORDER_QUANTITY', `${order.quantity} shares exceeds the ${c.maxOrderQuantity}-share order limit`);

    // Without a fresh reference price neither the notional of a market order nor the fat-finger
    // band of a limit order can be checked, so neither goes out.
    const q = ctx.quote;
    if (!q || !(q.price > 0) || !Number.isFinite(q.price))
      return deny('NO_QUOTE', `no quote for ${order.symbol}: no reference price to check the order against`);
    if (c.maxQuoteAgeMs !== null && now - q.ts > c.maxQuoteAgeMs)
      return deny('STALE_QUOTE', `the last ${order.symbol} quote is ${Math.round((now - q.ts) / 1000)} s old`);
    const price = order.type === 'LMT' ? order.limitPrice! : q.price;
    const notional = order.quantity * price;
    if (notional > c.maxOrderNotional)
      return deny(
        'MAX_ORDER_NOTIONAL',
        `order notional $${notional.toFixed(2)} exceeds the $${c.maxOrderNotional} limit`,
      );
    if (order.type === 'LMT') {
      const bps = (Math.abs(price - q.price) / q.price) * 10_000;
      if (bps > c.priceBandBps)
        return deny(
          'PRICE_BAND',
          `limit ${price} is ${bps.toFixed(0)} bps from the last quote ${q.price} (band ${c.priceBandBps} bps)`,
        );
    }

    if (!reducing) {
      const projected =
        order.side === 'BUY'
          ? ctx.position + ctx.openBuyQty + order.quantity
          : ctx.position - ctx.openSellQty - order.quantity;
      if (Math.abs(projected) > c.maxPositionPerSymbol)
        return deny(
          'MAX_POSITION',
          `${order.symbol} position would reach ${projected} shares (limit ${c.maxPositionPerSymbol})`,
        );
      const gross = ctx.grossExposure + notional;
      if (gross > c.maxGrossExposure)
        return deny(
          'MAX_GROSS_EXPOSURE',
          `gross exposure would reach $${gross.toFixed(0)} (limit $${c.maxGrossExposure})`,
        );
      if (ctx.dailyPnl <= -c.dailyLossLimit) {
        if (order.mode === 'live') this.evaluateDailyLoss(ctx.dailyPnl);
        return deny(
          'DAILY_LOSS_LIMIT',
          `daily P&L $${ctx.dailyPnl.toFixed(2)} is past the $${c.dailyLossLimit} loss limit`,
        );
      }
    }

    // The flatten loop repeats the same reduce-only order on purpose.
    if (c.duplicateWindowMs > 0 && order.origin !== 'flatten') {
      this.pruneRecent(now);
      const dup = this.recent.find(
        (r) =>
          r.mode === order.mode && r.symbol === order.symbol && r.side === order.side && r.quantity === order.quantity,
      );
      if (dup)
        return deny(
          'DUPLICATE_ORDER',
          `same ${order.side} ${order.quantity} ${order.symbol} ${now - dup.ts} ms ago (window ${c.duplicateWindowMs} ms)`,
        );
    }

    this.refill(now);
    if (this.tokens < 1) return deny('RATE_LIMIT', `more than ${c.ordersPerSecond} orders/s (burst ${c.orderBurst})`);
    this.tokens -= 1;
    this.recent.push({ mode: order.mode, symbol: order.symbol, side: order.side, quantity: order.quantity, ts: now });
    return { ok: true };
  }

  /** Call on every live P&L update: a breach asks for HALTED once, until `resetDay`. */
  evaluateDailyLoss(dailyPnl: number): boolean {
    const breached = dailyPnl <= -this.cfg.dailyLossLimit;
    if (breached && !this.lossHaltRequested) {
      this.lossHaltRequested = true;
      this.deps.requestHalt?.(`daily loss limit: P&L $${dailyPnl.toFixed(2)} is past −$${this.cfg.dailyLossLimit}`);
    }
    return breached;
  }

  /** A new trading day (or a re-arm) allows the daily-loss halt to fire again. */
  resetDay(): void {
    this.lossHaltRequested = false;
  }

  /** Counts a broker reject; N within the window asks for HALTED and starts a fresh window. */
  recordReject(): boolean {
    const now = this.deps.clock.now();
    this.rejects.push(now);
    while (this.rejects.length > 0 && now - this.rejects[0]! > this.cfg.rejectStormWindowMs) this.rejects.shift();
    if (this.rejects.length < this.cfg.rejectStormCount) return false;
    const n = this.rejects.length;
    this.rejects.length = 0;
    this.deps.requestHalt?.(`reject storm: ${n} rejects in ${this.cfg.rejectStormWindowMs / 1000} s`);
    return true;
  }

  private refill(now: number): void {
    const elapsed = Math.max(0, now - this.lastRefill);
    this.tokens = Math.min(this.cfg.orderBurst, this.tokens + (elapsed * this.cfg.ordersPerSecond) / 1000);
    this.lastRefill = Math.max(this.lastRefill, now);
  }

  private pruneRecent(now: number): void {
    while (this.recent.length > 0 && now - this.recent[0]!.ts >= this.cfg.duplicateWindowMs) this.recent.shift();
  }
}

/** A clear sentence for a malformed order, or null. */
export function invalidOrder(o: OrderRequest): string | null {
  if (!/^[A-Z][A-Z0-9.-]{0,15}$/.test(o.symbol)) return `bad symbol ${JSON.stringify(o.symbol)}`;
  if (o.side !== 'BUY' && o.side !== 'SELL') return `side must be BUY or SELL, got ${String(o.side)}`;
  if (!Number.isInteger(o.quantity) || o.quantity <= 0)
    return `quantity must be a positive whole number of shares, got ${o.quantity}`;
  if (o.type !== 'MKT' && o.type !== 'LMT') return `type must be MKT or LMT, got ${String(o.type)}`;
  if (o.type === 'LMT' && (o.limitPrice === undefined || !Number.isFinite(o.limitPrice) || o.limitPrice <= 0))
    return `a LMT order needs a positive limit price, got ${o.limitPrice}`;
  if (o.type === 'MKT' && o.limitPrice !== undefined) return 'a MKT order takes no limit price';
  if (o.tif !== 'DAY' && o.tif !== 'GTC' && o.tif !== 'IOC') return `tif must be DAY, GTC or IOC, got ${String(o.tif)}`;
  return null;
}

function deny(reason: RiskReason, message: string): RiskDecision {
  return { ok: false, reason, message };
}
