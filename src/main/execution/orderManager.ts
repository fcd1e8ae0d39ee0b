/**
 * The order manager (OMS). It creates orders with unique client order ids, runs the risk checks,
 * hands orders to the broker of their mode (shadow → simulated, live → IBKR paper) and turns
 * broker reports into order state through the one state machine. Every event is appended to the
 * store before listeners hear of it; at start-up the state of every order and position is rebuilt
 * from those events with the same reducer.
 *
 * Safety rules: nothing reaches a broker before its 'created' and 'submitted' events are on disk;
 * a broker that does not allow trading is never called (the order is DENIED with its reason);
 * duplicate execution ids are ignored (in memory and by the fills table's UNIQUE key); an
 * overfill is applied (the shares traded) and raised as a critical alert.
 */
import type { TradingStateName } from '../../shared/domain';
import type { Clock } from '../clock';
import type { Logger } from '../observability/logger';
import type { Db } from '../storage/db';
import { SqliteOrderRepo } from '../storage/orderRepo';
import { nyDateKey } from '../time/newYork';
import {
  reduceOrder,
  type FillRow,
  type OrderEvent,
  type OrderEventBody,
  type OrderEventStore,
  type OrderRecord,
} from './orderEvents';
import { isWorking } from './orderState';
import { PositionBook, type PositionView } from './positions';
import type { RiskContext, RiskEngine } from './risk';
import type {
  Broker,
  BrokerReport,
  OrderMode,
  OrderOrigin,
  OrderRequest,
  OrderSide,
  OrderType,
  SubmitResult,
  TimeInForce,
} from './types';

export interface NewOrder {
  symbol: string;
  side: OrderSide;
  quantity: number;
  type: OrderType;
  limitPrice?: number;
  tif?: TimeInForce;
  mode: OrderMode;
  origin: OrderOrigin;
  reduceOnly?: boolean;
}

export interface FillView {
  execId: string;
  clientOrderId: string;
  mode: OrderMode;
  symbol: string;
  side: OrderSide;
  quantity: number;
  price: number;
  commission: number | null;
  ts: number;
}

export type ExecutionUpdate =
  | { type: 'order'; order: OrderRecord }
  | { type: 'fill'; fill: FillView; order: OrderRecord }
  | { type: 'position'; position: PositionView };

export type AlertFn = (level: 'warning' | 'critical', title: string, message: string) => void;

export interface OrderManagerDeps {
  clock: Clock;
  /** SQLite database (migration 007); ignored when `store` is given. */
  db?: Db;
  /** An explicit event store (MemoryOrderStore for backtests and benches). */
  store?: OrderEventStore;
  brokers: Partial<Record<OrderMode, Broker>>;
  risk: RiskEngine;
  /** The latched trading state (KillSwitch.current().state). */
  tradingState: () => TradingStateName;
  /** Reference price for risk checks: last quote mid or last trade, with its time. */
  quote: (symbol: string) => { price: number; ts: number } | null;
  log?: Logger;
  onAlert?: AlertFn;
  /** The prior close for daily P&L of overnight positions. */
  priorClose?: (symbol: string, dayKey: string) => number | null;
  listeners?: ((u: ExecutionUpdate) => void)[];
  /** A broker report could not be written to the order log: the engine halts trading. */
  onStoreFailure?: (err: unknown) => void;
}

export class OrderManager {
  readonly positions: PositionBook;
  private readonly store: OrderEventStore;
  private readonly orders = new Map<string, OrderRecord>();
  /** Ids of working orders: risk context and cancelAll without scanning the whole history. */
  private readonly workingIds = new Set<string>();
  private readonly fillsByExec = new Map<string, FillView>();
  /** Commission reports that arrived before their execution. */
  private readonly earlyCommissions = new Map<string, number>();
  private readonly listeners = new Set<(u: ExecutionUpdate) => void>();
  private readonly unsubscribe: (() => void)[] = [];
  /** Reports refused by the state machine; kept for diagnostics and tests. */
  refusedCount = 0;
  duplicateFillCount = 0;

  constructor(private readonly deps: OrderManagerDeps) {
    if (!deps.store && !deps.db) throw new Error('OrderManager needs a db or a store');
    this.store = deps.store ?? new SqliteOrderRepo(deps.db!);
    this.positions = new PositionBook({
      clock: deps.clock,
      ...(deps.priorClose ? { priorClose: deps.priorClose } : {}),
    });
    for (const l of deps.listeners ?? []) this.listeners.add(l);
    this.rebuild();
    for (const [mode, broker] of Object.entries(deps.brokers) as [OrderMode, Broker][]) {
      this.unsubscribe.push(broker.onReport((r) => this.applyReport(r, mode)));
    }
  }

  onUpdate(listener: (u: ExecutionUpdate) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops listening to the brokers. */
  close(): void {
    for (const u of this.unsubscribe.splice(0)) u();
  }

  get(clientOrderId: string): OrderRecord | undefined {
    return this.orders.get(clientOrderId);
  }

  list(): OrderRecord[] {
    return [...this.orders.values()];
  }

  working(mode?: OrderMode): OrderRecord[] {
    const out: OrderRecord[] = [];
    for (const id of this.workingIds) {
      const o = this.orders.get(id)!;
      if (!mode || o.request.mode === mode) out.push(o);
    }
    return out;
  }

  fills(clientOrderId?: string): FillView[] {
    const all = [...this.fillsByExec.values()];
    return clientOrderId ? all.filter((f) => f.clientOrderId === clientOrderId) : all;
  }

  /**
   * Creates, checks and sends an order. Always returns the order: DENIED (with its reason) when a
   * check fails. Throws only when the store cannot record it, and then nothing was sent.
   */
  submit(input: NewOrder): OrderRecord {
    const now = this.deps.clock.now();
    const clientOrderId = this.store.nextClientOrderId(nyDateKey(now).replaceAll('-', ''));
    const request: OrderRequest = {
      clientOrderId,
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      type: input.type,
      ...(input.limitPrice !== undefined ? { limitPrice: input.limitPrice } : {}),
      tif: input.tif ?? 'DAY',
      mode: input.mode,
      origin: input.origin,
      ...(input.reduceOnly ? { reduceOnly: true } : {}),
      ts: now,
    };
    this.record({ kind: 'created', order: request }, request, now, true);

    const broker = this.deps.brokers[request.mode];
    if (!broker) return this.deny(request, 'NO_BROKER', `no ${request.mode} broker is configured`);
    const status = broker.status();
    if (!status.tradingAllowed)
      return this.deny(
        request,
        'BROKER_UNAVAILABLE',
        `${status.name} broker: ${status.reason ?? 'trading not allowed'}`,
      );
    const decision = this.deps.risk.check(request, this.riskContext(request.mode, request.symbol));
    if (!decision.ok) return this.deny(request, decision.reason, decision.message);

    this.record({ kind: 'submitted', brokerOrderId: null }, request, now, true);
    let result: SubmitResult;
    try {
      result = broker.submit(request);
    } catch (err) {
      result = { ok: false, reason: `broker threw: ${(err as Error).message}` };
    }
    if (!result.ok) this.applyReport({ type: 'rejected', clientOrderId, reason: result.reason, ts: now }, request.mode);
    return this.orders.get(clientOrderId)!;
  }

  /**
   * Adopts a working broker order no local order matches (reconciliation): origin 'external',
   * recorded as created → submitted → accepted with the broker's id. Nothing is sent anywhere.
   */
  adopt(input: {
    clientOrderId: string;
    symbol: string;
    side: OrderSide;
    quantity: number;
    type: OrderType;
    limitPrice?: number;
    mode: OrderMode;
    brokerOrderId: string;
  }): OrderRecord {
    const known = this.orders.get(input.clientOrderId);
    if (known) return known;
    const now = this.deps.clock.now();
    const request: OrderRequest = {
      clientOrderId: input.clientOrderId,
      symbol: input.symbol,
      side: input.side,
      quantity: input.quantity,
      type: input.type,
      ...(input.limitPrice !== undefined ? { limitPrice: input.limitPrice } : {}),
      tif: 'GTC',
      mode: input.mode,
      origin: 'external',
      ts: now,
    };
    this.record({ kind: 'created', order: request }, request, now, true);
    this.record({ kind: 'submitted', brokerOrderId: input.brokerOrderId }, request, now, true);
    this.record({ kind: 'accepted', brokerOrderId: input.brokerOrderId }, request, now, true);
    return this.orders.get(input.clientOrderId)!;
  }

  /** Cancels a working order. Passes in every trading state (HALTED included). */
  cancel(clientOrderId: string): SubmitResult {
    const order = this.orders.get(clientOrderId);
    if (!order) return { ok: false, reason: `unknown order ${clientOrderId}` };
    if (!isWorking(order.status)) return { ok: false, reason: `order ${clientOrderId} is ${order.status}` };
    const broker = this.deps.brokers[order.request.mode];
    if (!broker) return { ok: false, reason: `no ${order.request.mode} broker is configured` };
    this.record({ kind: 'cancelPending', source: 'local' }, order.request, this.deps.clock.now(), false);
    const result = broker.cancel(clientOrderId);
    if (!result.ok)
      this.applyReport(
        { type: 'cancelRejected', clientOrderId, reason: result.reason, ts: this.deps.clock.now() },
        order.request.mode,
      );
    return result;
  }

  /**
   * Marks every working order PENDING_CANCEL and asks each broker (or one mode's) to cancel
   * everything it holds (IB reqGlobalCancel; the simulated broker's local sweep). Returns the ids
   * to track for "n of m cancelled".
   */
  async cancelAll(mode?: OrderMode): Promise<string[]> {
    const targets = this.working(mode);
    const brokers = (Object.entries(this.deps.brokers) as [OrderMode, Broker][]).filter(([m]) => !mode || m === mode);
    // The wire first: the kill latency runs to reqGlobalCancel on the socket, and each local
    // cancelPending below is a synchronous write. Cancelling first is always safe.
    const sent = Promise.all(brokers.map(([, b]) => b.cancelAll()));
    const ids: string[] = [];
    const now = this.deps.clock.now();
    for (const target of targets) {
      const o = this.orders.get(target.clientOrderId)!;
      if (isWorking(o.status) && o.status !== 'PENDING_CANCEL')
        this.record({ kind: 'cancelPending', source: 'local' }, o.request, now, false);
      ids.push(o.clientOrderId);
    }
    await sent;
    return ids;
  }

  /** How many of these orders are no longer working: the kill switch's progress. */
  cancelProgress(ids: readonly string[]): { done: number; total: number } {
    const done = ids.filter((id) => {
      const o = this.orders.get(id);
      return !o || !isWorking(o.status);
    }).length;
    return { done, total: ids.length };
  }

  /** Marks positions to a quote and checks the live daily loss limit. */
  mark(symbol: string, price: number, ts: number): void {
    const views = this.positions.mark(symbol, price, ts);
    for (const p of views) this.emit({ type: 'position', position: p });
    if (views.some((p) => p.mode === 'live')) this.deps.risk.evaluateDailyLoss(this.positions.totals('live').dailyPnl);
  }

  riskContext(mode: OrderMode, symbol: string): RiskContext {
    let openBuyQty = 0;
    let openSellQty = 0;
    for (const id of this.workingIds) {
      const o = this.orders.get(id)!;
      if (o.request.mode !== mode || o.request.symbol !== symbol) continue;
      const leaves = Math.max(0, o.request.quantity - o.filledQty);
      if (o.request.side === 'BUY') openBuyQty += leaves;
      else openSellQty += leaves;
    }
    const totals = this.positions.totals(mode);
    return {
      tradingState: this.deps.tradingState(),
      quote: this.deps.quote(symbol),
      position: this.positions.quantity(mode, symbol),
      openBuyQty,
      openSellQty,
      grossExposure: totals.grossExposure,
      dailyPnl: totals.dailyPnl,
    };
  }

  /** Applies one broker report. Public so reconciliation can replay recovered executions. */
  applyReport(report: BrokerReport, mode: OrderMode): void {
    if (report.type === 'commission')
      return this.applyCommission(report.execId, report.commission, report.currency, report.ts);
    const order = this.orders.get(report.clientOrderId);
    if (!order) {
      this.deps.log?.warn({ report, mode }, 'broker report for an unknown order');
      this.deps.onAlert?.(
        'warning',
        'Unknown order',
        `${report.type} for ${report.clientOrderId}, which Kestrel did not place`,
      );
      return;
    }
    const req = order.request;
    switch (report.type) {
      case 'submitted':
      case 'accepted':
        this.record({ kind: report.type, brokerOrderId: report.brokerOrderId }, req, report.ts, false);
        return;
      case 'rejected':
        if (
          this.record({ kind: 'rejected', reason: report.reason, code: report.code ?? null }, req, report.ts, false) &&
          mode === 'live'
        )
          this.deps.risk.recordReject();
        return;
      case 'cancelPending':
        this.record({ kind: 'cancelPending', source: 'broker' }, req, report.ts, false);
        return;
      case 'cancelRejected':
        this.record({ kind: 'cancelRejected', reason: report.reason }, req, report.ts, false);
        return;
      case 'canceled':
        this.record({ kind: 'canceled', reason: report.reason ?? null }, req, report.ts, false);
        return;
      case 'expired':
        this.record({ kind: 'expired' }, req, report.ts, false);
        return;
      case 'fill':
        return this.applyFill(report, order);
    }
  }

  private applyFill(report: Extract<BrokerReport, { type: 'fill' }>, order: OrderRecord): void {
    if (this.fillsByExec.has(report.execId)) {
      this.duplicateFillCount++;
      this.deps.log?.debug({ execId: report.execId }, 'duplicate execution ignored');
      return;
    }
    if (!(report.quantity > 0) || !(report.price > 0)) {
      this.deps.log?.error({ report }, 'fill with a non-positive quantity or price refused');
      this.deps.onAlert?.(
        'critical',
        'Bad fill',
        `fill ${report.execId} for ${order.clientOrderId} has quantity ${report.quantity} at ${report.price}`,
      );
      return;
    }
    const early = this.earlyCommissions.get(report.execId);
    const commission = report.commission ?? early ?? null;
    const req = order.request;
    const ev: OrderEvent = {
      kind: 'fill',
      execId: report.execId,
      quantity: report.quantity,
      price: report.price,
      commission,
      clientOrderId: order.clientOrderId,
      mode: req.mode,
      ts: report.ts,
    };
    const r = reduceOrder(order, ev);
    if (!r.ok) {
      this.refuse(ev, order, r.reason);
      this.deps.onAlert?.(
        'critical',
        'Fill refused',
        `${r.reason}: execution ${report.execId}; reconcile with the broker`,
      );
      return;
    }
    const fill: FillRow = {
      execId: report.execId,
      clientOrderId: order.clientOrderId,
      mode: req.mode,
      symbol: req.symbol,
      side: req.side,
      quantity: report.quantity,
      price: report.price,
      commission,
      ts: report.ts,
    };
    let stored: boolean;
    try {
      stored = this.store.append(ev, r.order.status, fill);
    } catch (err) {
      // The shares traded whatever the disk says: apply in memory, alert, and let the engine halt.
      this.storeFailed(err, ev);
      stored = true;
    }
    if (!stored) {
      // Known to the database but not to memory: a restart raced the broker's replay.
      this.duplicateFillCount++;
      return;
    }
    this.earlyCommissions.delete(report.execId);
    this.setOrder(r.order);
    this.fillsByExec.set(fill.execId, fill);
    const position = this.positions.applyFill({ ...fill, commission: commission ?? 0 });
    if (r.overfill) {
      this.deps.log?.error({ order: r.order }, 'overfill');
      this.deps.onAlert?.(
        'critical',
        'Overfill',
        `${order.clientOrderId} ${req.side} ${req.symbol}: filled ${r.order.filledQty} of ${req.quantity}`,
      );
    }
    this.emit({ type: 'fill', fill, order: r.order });
    this.emit({ type: 'order', order: r.order });
    this.emit({ type: 'position', position });
    if (req.mode === 'live') this.deps.risk.evaluateDailyLoss(this.positions.totals('live').dailyPnl);
  }

  private applyCommission(execId: string, commission: number, currency: string, ts: number): void {
    const fill = this.fillsByExec.get(execId);
    if (!fill) {
      this.earlyCommissions.set(execId, commission);
      return;
    }
    if (fill.commission !== null) return; // a repeat report, or the fill carried it already
    const order = this.orders.get(fill.clientOrderId)!;
    const ev: OrderEvent = {
      kind: 'commission',
      execId,
      commission,
      currency,
      clientOrderId: fill.clientOrderId,
      mode: fill.mode,
      ts,
    };
    const r = reduceOrder(order, ev);
    if (!r.ok) return this.refuse(ev, order, r.reason);
    try {
      this.store.append(ev, r.order.status);
      this.store.setCommission(execId, commission);
    } catch (err) {
      this.storeFailed(err, ev);
    }
    fill.commission = commission;
    this.setOrder(r.order);
    const position = this.positions.applyCommission(fill.mode, fill.symbol, commission, ts);
    this.emit({ type: 'order', order: r.order });
    this.emit({ type: 'position', position });
  }

  private deny(request: OrderRequest, code: string, reason: string): OrderRecord {
    this.deps.log?.info({ clientOrderId: request.clientOrderId, code, reason }, 'order denied');
    this.record({ kind: 'denied', code, reason }, request, this.deps.clock.now(), true);
    return this.orders.get(request.clientOrderId)!;
  }

  /**
   * Runs the reducer, persists a changed or refused event, then tells listeners. `mustPersist`
   * events (before anything is sent) throw when the store fails; a broker report that cannot be
   * stored is still applied in memory (the broker did act) and raised as a critical alert.
   * Returns whether the event changed the order.
   */
  private record(body: OrderEventBody, req: OrderRequest, ts: number, mustPersist: boolean): boolean {
    const ev = { ...body, clientOrderId: req.clientOrderId, mode: req.mode, ts } as OrderEvent;
    const current = this.orders.get(req.clientOrderId);
    const r = reduceOrder(current, ev);
    if (!r.ok) {
      if (current) this.refuse(ev, current, r.reason);
      return false;
    }
    if (!r.changed) {
      this.deps.log?.debug({ clientOrderId: req.clientOrderId, kind: ev.kind }, 'repeat report, no change');
      return false;
    }
    try {
      this.store.append(ev, r.order.status);
    } catch (err) {
      if (mustPersist) throw err;
      this.storeFailed(err, ev);
    }
    this.setOrder(r.order);
    this.emit({ type: 'order', order: r.order });
    return true;
  }

  /** A broker report that cannot be stored is still applied in memory (the broker did act). */
  private storeFailed(err: unknown, ev: OrderEvent): void {
    this.deps.log?.error({ err, ev }, 'order event not persisted');
    this.deps.onAlert?.(
      'critical',
      'Order event not saved',
      `${ev.kind} for ${ev.clientOrderId}: ${(err as Error).message}`,
    );
    this.deps.onStoreFailure?.(err);
  }

  private refuse(ev: OrderEvent, order: OrderRecord, reason: string): void {
    this.refusedCount++;
    this.deps.log?.warn({ clientOrderId: order.clientOrderId, kind: ev.kind, status: order.status }, reason);
    try {
      this.store.append({ ...ev, refused: reason }, order.status, undefined);
    } catch (err) {
      this.deps.log?.error({ err }, 'refused event not persisted');
    }
  }

  /** Replays the stored events through the same reducer: the state of every order and position. */
  private rebuild(): void {
    for (const ev of this.store.events()) {
      if (ev.refused !== undefined) continue;
      const r = reduceOrder(this.orders.get(ev.clientOrderId), ev);
      if (!r.ok) {
        this.deps.log?.error({ seq: ev.seq, reason: r.reason }, 'stored order event does not replay');
        this.deps.onAlert?.('critical', 'Order log inconsistent', `event ${ev.seq}: ${r.reason}`);
        continue;
      }
      this.setOrder(r.order);
      const req = r.order.request;
      if (ev.kind === 'fill') {
        const fill: FillView = {
          execId: ev.execId,
          clientOrderId: ev.clientOrderId,
          mode: req.mode,
          symbol: req.symbol,
          side: req.side,
          quantity: ev.quantity,
          price: ev.price,
          commission: ev.commission,
          ts: ev.ts,
        };
        this.fillsByExec.set(ev.execId, fill);
        this.positions.applyFill({ ...fill, commission: ev.commission ?? 0 });
      } else if (ev.kind === 'commission') {
        const fill = this.fillsByExec.get(ev.execId);
        if (fill) fill.commission = ev.commission;
        this.positions.applyCommission(req.mode, req.symbol, ev.commission, ev.ts);
      }
    }
  }

  private setOrder(o: OrderRecord): void {
    this.orders.set(o.clientOrderId, o);
    if (isWorking(o.status)) this.workingIds.add(o.clientOrderId);
    else this.workingIds.delete(o.clientOrderId);
  }

  private emit(u: ExecutionUpdate): void {
    for (const l of this.listeners) {
      try {
        l(u);
      } catch (err) {
        this.deps.log?.error({ err }, 'execution listener failed');
      }
    }
  }
}
