/**
 * The simulated broker: shadow-mode orders and backtests, and the default when no gateway is
 * reachable. It fills against the current quote (buys at the ask, sells at the bid, `last` when a
 * side is missing) moved against the order by `slippageBps`; a limit order never fills through its
 * limit and rests until marketable. Call `onQuote(symbol)` on every quote (or `matchAll()` per
 * bar in a backtest) to work resting orders. Latency, when set, delays every report through the
 * injected Scheduler; partial fills cap each match at `maxFillPerMatch` shares.
 *
 * Execution ids are `<clientOrderId>.<n>`: unique across restarts because client order ids are.
 */
import type { Clock } from '../clock';
import { nyDateKey } from '../time/newYork';
import { ibFixed, type CommissionModel } from './commission';
import { timerScheduler, type Scheduler } from './scheduler';
import type {
  Broker,
  BrokerExecution,
  BrokerReport,
  BrokerSnapshot,
  BrokerStatus,
  OrderRequest,
  SubmitResult,
} from './types';

export interface SimQuote {
  bid: number;
  ask: number;
  last?: number;
  ts: number;
}

export type QuoteSource = (symbol: string) => SimQuote | null;

export interface SimulatedBrokerOptions {
  clock: Clock;
  quotes: QuoteSource;
  /** Price moved against the order, in basis points of the reference price. */
  slippageBps?: number;
  commission?: CommissionModel;
  /** Delay before each report (ack, fill, cancel). 0 reports synchronously. */
  latencyMs?: number;
  scheduler?: Scheduler;
  /** Cap on the shares filled per match; the rest waits for the next quote. */
  maxFillPerMatch?: number;
  account?: string;
}

interface Working {
  order: OrderRequest;
  brokerOrderId: string;
  filled: number;
  value: number;
  commission: number;
  /** Shares this account traded this month before the order, for tiered pricing. */
  monthVolume: number;
  fills: number;
  /** Acked and matchable: false while the submit is still "on the wire". */
  live: boolean;
}

export class SimulatedBroker implements Broker {
  readonly name = 'simulated' as const;
  private readonly working = new Map<string, Working>();
  private readonly executions: BrokerExecution[] = [];
  private readonly positions = new Map<string, { quantity: number; avgCost: number }>();
  private readonly reportListeners = new Set<(r: BrokerReport) => void>();
  private readonly readyListeners = new Set<() => void>();
  private readonly monthVolume = new Map<string, number>();
  private readonly slippage: number;
  private readonly commission: CommissionModel;
  private readonly latency: number;
  private readonly scheduler: Scheduler;
  private readonly account: string;

  constructor(private readonly opts: SimulatedBrokerOptions) {
    this.slippage = (opts.slippageBps ?? 0) / 10_000;
    this.commission = opts.commission ?? ibFixed;
    this.latency = opts.latencyMs ?? 0;
    this.scheduler = opts.scheduler ?? timerScheduler;
    this.account = opts.account ?? 'SIM';
    if (!(this.slippage >= 0)) throw new Error(`slippageBps must be ≥ 0, got ${opts.slippageBps}`);
    if (opts.maxFillPerMatch !== undefined && !(opts.maxFillPerMatch >= 1))
      throw new Error(`maxFillPerMatch must be ≥ 1, got ${opts.maxFillPerMatch}`);
  }

  status(): BrokerStatus {
    return {
      name: 'simulated',
      connected: true,
      accounts: [this.account],
      paper: true,
      tradingAllowed: true,
      reason: null,
    };
  }

  /** Tells ready listeners the broker can be reconciled (it is always connected). */
  start(): void {
    for (const l of this.readyListeners) l();
  }

  submit(order: OrderRequest): SubmitResult {
    if (this.working.has(order.clientOrderId))
      return { ok: false, reason: `duplicate client order id ${order.clientOrderId}` };
    if (!(order.quantity > 0)) return { ok: false, reason: `quantity must be > 0, got ${order.quantity}` };
    if (order.type === 'LMT' && !(order.limitPrice !== undefined && order.limitPrice > 0))
      return { ok: false, reason: 'a LMT order needs a positive limit price' };
    const w: Working = {
      order,
      brokerOrderId: `SIM-${order.clientOrderId}`,
      filled: 0,
      value: 0,
      commission: 0,
      monthVolume: this.monthVolume.get(this.monthKey()) ?? 0,
      fills: 0,
      live: false,
    };
    this.working.set(order.clientOrderId, w);
    this.later(() => {
      if (this.working.get(order.clientOrderId) !== w) return;
      const ts = this.opts.clock.now();
      this.emit({ type: 'submitted', clientOrderId: order.clientOrderId, brokerOrderId: w.brokerOrderId, ts });
      if (order.type === 'MKT' && !this.opts.quotes(order.symbol)) {
        this.working.delete(order.clientOrderId);
        this.emit({ type: 'rejected', clientOrderId: order.clientOrderId, reason: `no quote for ${order.symbol}`, ts });
        return;
      }
      this.emit({ type: 'accepted', clientOrderId: order.clientOrderId, brokerOrderId: w.brokerOrderId, ts });
      w.live = true;
      this.match(w);
    });
    return { ok: true };
  }

  cancel(clientOrderId: string): SubmitResult {
    const w = this.working.get(clientOrderId);
    if (!w) return { ok: false, reason: `no working order ${clientOrderId}` };
    this.later(() => {
      const ts = this.opts.clock.now();
      // The order may have filled while the cancel was on the wire.
      if (this.working.get(clientOrderId) !== w) {
        this.emit({ type: 'cancelRejected', clientOrderId, reason: 'order already filled or cancelled', ts });
        return;
      }
      this.working.delete(clientOrderId);
      this.emit({ type: 'canceled', clientOrderId, reason: 'cancelled by request', ts });
    });
    return { ok: true };
  }

  /** The local sweep: every working order is cancelled at once, whatever the latency. */
  cancelAll(): Promise<void> {
    const ts = this.opts.clock.now();
    const ids = [...this.working.keys()];
    this.working.clear();
    for (const id of ids) this.emit({ type: 'canceled', clientOrderId: id, reason: 'global cancel', ts });
    return Promise.resolve();
  }

  /** End of session: DAY orders expire. */
  expireDayOrders(): number {
    const ts = this.opts.clock.now();
    let n = 0;
    for (const [id, w] of this.working) {
      if (w.order.tif !== 'DAY') continue;
      this.working.delete(id);
      this.emit({ type: 'expired', clientOrderId: id, ts });
      n++;
    }
    return n;
  }

  /** Works the resting orders of one symbol against its current quote. */
  onQuote(symbol: string): void {
    for (const w of [...this.working.values()]) if (w.order.symbol === symbol) this.match(w);
  }

  matchAll(): void {
    for (const w of [...this.working.values()]) this.match(w);
  }

  workingCount(): number {
    return this.working.size;
  }

  snapshot(sinceTs: number | null): Promise<BrokerSnapshot> {
    return Promise.resolve({
      openOrders: [...this.working.values()].map((w) => ({
        brokerOrderId: w.brokerOrderId,
        clientOrderId: w.order.clientOrderId,
        symbol: w.order.symbol,
        side: w.order.side,
        quantity: w.order.quantity,
        filled: w.filled,
        type: w.order.type,
        ...(w.order.limitPrice !== undefined ? { limitPrice: w.order.limitPrice } : {}),
        status: w.live ? 'Submitted' : 'PendingSubmit',
      })),
      executions: this.executions.filter((e) => sinceTs === null || e.ts >= sinceTs),
      positions: [...this.positions.entries()]
        .filter(([, p]) => p.quantity !== 0)
        .map(([symbol, p]) => ({ account: this.account, symbol, quantity: p.quantity, avgCost: p.avgCost })),
    });
  }

  onReport(listener: (report: BrokerReport) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    return () => this.readyListeners.delete(listener);
  }

  private match(w: Working): void {
    if (!w.live || this.working.get(w.order.clientOrderId) !== w) return;
    const { order } = w;
    const q = this.opts.quotes(order.symbol);
    const price = q ? this.fillPrice(order, q) : null;
    if (price !== null) {
      const leaves = order.quantity - w.filled;
      const qty = Math.min(leaves, this.opts.maxFillPerMatch ?? leaves);
      this.fill(w, qty, price);
    }
    // IOC: whatever did not fill on the first look is cancelled.
    if (order.tif === 'IOC' && this.working.get(order.clientOrderId) === w) {
      this.working.delete(order.clientOrderId);
      this.emit({
        type: 'canceled',
        clientOrderId: order.clientOrderId,
        reason: 'IOC remainder',
        ts: this.opts.clock.now(),
      });
    }
  }

  /** The execution price, or null when the order is not marketable against this quote. */
  private fillPrice(order: OrderRequest, q: SimQuote): number | null {
    const buy = order.side === 'BUY';
    const ref = buy ? (q.ask > 0 ? q.ask : q.last) : q.bid > 0 ? q.bid : q.last;
    if (ref === undefined || !(ref > 0)) return null;
    let price = buy ? ref * (1 + this.slippage) : ref * (1 - this.slippage);
    if (order.type === 'LMT') {
      const limit = order.limitPrice!;
      if (buy ? ref > limit : ref < limit) return null;
      price = buy ? Math.min(price, limit) : Math.max(price, limit);
    }
    return Math.round(price * 10_000) / 10_000;
  }

  private fill(w: Working, qty: number, price: number): void {
    const { order } = w;
    const ts = this.opts.clock.now();
    w.filled += qty;
    w.value += qty * price;
    w.fills += 1;
    const total = this.commission.orderCommission({
      side: order.side,
      shares: w.filled,
      value: w.value,
      monthVolume: w.monthVolume,
    });
    const commission = Math.round((total - w.commission) * 10_000) / 10_000;
    w.commission = total;
    const execId = `${order.clientOrderId}.${w.fills}`;
    if (w.filled >= order.quantity) this.working.delete(order.clientOrderId);
    const month = this.monthKey();
    this.monthVolume.set(month, (this.monthVolume.get(month) ?? 0) + qty);
    this.executions.push({
      execId,
      brokerOrderId: w.brokerOrderId,
      clientOrderId: order.clientOrderId,
      symbol: order.symbol,
      side: order.side,
      quantity: qty,
      price,
      ts,
    });
    this.trackPosition(order.symbol, order.side === 'BUY' ? qty : -qty, price);
    this.emit({ type: 'fill', clientOrderId: order.clientOrderId, execId, quantity: qty, price, commission, ts });
  }

  private trackPosition(symbol: string, signed: number, price: number): void {
    const p = this.positions.get(symbol) ?? { quantity: 0, avgCost: 0 };
    const next = p.quantity + signed;
    if (p.quantity === 0 || Math.sign(p.quantity) === Math.sign(signed)) {
      p.avgCost = (Math.abs(p.quantity) * p.avgCost + Math.abs(signed) * price) / Math.abs(next);
    } else if (next !== 0 && Math.sign(next) !== Math.sign(p.quantity)) {
      p.avgCost = price;
    }
    p.quantity = next;
    if (next === 0) p.avgCost = 0;
    this.positions.set(symbol, p);
  }

  private monthKey(): string {
    return nyDateKey(this.opts.clock.now()).slice(0, 7);
  }

  private later(fn: () => void): void {
    if (this.latency > 0) this.scheduler.schedule(this.latency, fn);
    else fn();
  }

  private emit(report: BrokerReport): void {
    for (const l of this.reportListeners) l(report);
  }
}
