/**
 * The IBKR paper broker over the shared IbConnection. It turns IB's messages into BrokerReports:
 * execDetails are the fills (one report per execId, however often IB repeats it), commission
 * reports follow separately, openOrder/orderStatus/error 201/202 drive the order lifecycle and
 * repeats of them report nothing new. Orders are sent only while the gateway is fully connected
 * and every account is paper; otherwise submit() denies with the reason, because the library
 * would silently queue the order and send it after the next reconnect.
 */
import { EventName } from '@stoqey/ib';
import type { CommissionReport, Contract, Execution, Order, OrderState } from '@stoqey/ib';
import type { Clock } from '../clock';
import type {
  Broker,
  BrokerReport,
  BrokerSnapshot,
  BrokerStatus,
  OrderRequest,
  OrderSide,
  SubmitResult,
} from '../execution/types';
import type { Logger } from '../observability/logger';
import type { IbConnection, IbError } from './connection';
import { IB_CONNECTIVITY, IbNotConnectedError } from './connection';
import { classifyIbCode } from './errorCodes';
import { meaningOfIbStatus, parseIbExecTime, stockContract, toIbOrder, validateOrderRequest } from './orderMapping';
import { listen } from './listen';
import { IbSnapshotFetcher } from './snapshot';

export interface IbkrBrokerOptions {
  connection: IbConnection;
  clock: Clock;
  /** The highest IB order id used by any earlier run (persisted by the order manager), or null. */
  lastUsedOrderId?: () => number | null;
  /** Account to route orders to; default the only managed account. */
  account?: string;
  /** Per snapshot request (open orders, executions, positions). Default 10 s. */
  snapshotTimeoutMs?: number;
  /** How long cancelAll waits for reqGlobalCancel to reach the socket. Default 5 s. */
  wireTimeoutMs?: number;
  log?: Logger;
}

/** Lifecycle stages in the order they can only move forward; fills are reported whatever the stage. */
const STAGE_RANK = { submitted: 0, accepted: 1, cancelPending: 2, done: 3 } as const;
type Stage = keyof typeof STAGE_RANK;

interface TrackedOrder {
  clientOrderId: string;
  ibOrderId: number;
  symbol: string;
  side: OrderSide;
  stage: Stage;
  /** Why it is done (filled, cancelled, rejected), for a clear cancel() denial. */
  doneAs: string | null;
}

interface WireWaiter {
  resolve: () => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

const MSG_PLACE_ORDER = 3;
const MSG_REQ_GLOBAL_CANCEL = 58;
/** Live execDetails carry reqId -1; any other id answers a reqExecutions (the snapshot's). */
const LIVE_REQ_ID = -1;

export class IbkrBroker implements Broker {
  readonly name = 'ibkr' as const;
  private readonly conn: IbConnection;
  private readonly byClientOrderId = new Map<string, TrackedOrder>();
  private readonly byIbId = new Map<number, TrackedOrder>();
  private readonly seenExecIds = new Set<string>();
  private readonly commissionSent = new Set<string>();
  private readonly reportListeners = new Set<(r: BrokerReport) => void>();
  private readonly readyListeners = new Set<() => void>();
  private readonly globalCancelWaiters = new Set<WireWaiter>();
  /** 2110: the gateway is up but its link to IB's servers is broken; orders would not reach IB. */
  private linkBroken: string | null = null;
  private highestUsedId = 0;
  private readonly snapshots: IbSnapshotFetcher;
  private readonly detach: (() => void)[] = [];

  constructor(private readonly opts: IbkrBrokerOptions) {
    this.conn = opts.connection;
    this.snapshots = new IbSnapshotFetcher(this.conn, opts.clock, opts.snapshotTimeoutMs ?? 10_000);
    const api = this.conn.api;
    const on = <A extends unknown[]>(event: EventName, fn: (...args: A) => void): void => {
      this.detach.push(listen(api, event, fn));
    };
    on(EventName.openOrder, (orderId: number, contract: Contract, order: Order, state: OrderState) =>
      this.onOpenOrder(orderId, contract, order, state),
    );
    on(
      EventName.orderStatus,
      (
        orderId: number,
        status: string,
        _f: number,
        _r: number,
        _a: number,
        _p?: number,
        _pa?: number,
        _l?: number,
        clientId?: number,
      ) => this.onOrderStatus(orderId, status, clientId),
    );
    on(EventName.execDetails, (reqId: number, contract: Contract, execution: Execution) =>
      this.onExecution(reqId, contract, execution),
    );
    on(EventName.commissionReport, (report: CommissionReport) => this.onCommission(report));
    on(EventName.info, (message: string, code: number) => this.onInfo(message, code));
    on(EventName.sent, (tokens: unknown[]) => this.onSent(tokens));
    this.detach.push(this.conn.onError((e) => this.onError(e)));
    this.detach.push(
      this.conn.onState((state, reason) => {
        if (state === 'connecting') this.linkBroken = null;
        if (state === 'connected') this.emitReady();
        else this.failGlobalCancel(reason);
      }),
    );
  }

  /** Detaches from the connection; the connection itself belongs to the engine. */
  dispose(): void {
    this.failGlobalCancel('the IBKR broker was closed');
    this.snapshots.dispose();
    for (const d of this.detach.splice(0)) d();
  }

  status(): BrokerStatus {
    const accounts = [...this.conn.accounts];
    const block = this.tradingBlock();
    return {
      name: 'ibkr',
      connected: this.conn.isConnected(),
      accounts,
      paper: accounts.length > 0 && accounts.every((a) => a.startsWith('DU')),
      tradingAllowed: block === null,
      reason: block,
    };
  }

  submit(order: OrderRequest): SubmitResult {
    const invalid = validateOrderRequest(order);
    if (invalid) return deny(invalid);
    if (order.mode !== 'live') return deny('shadow orders go to the simulated broker, never to IBKR');
    if (this.byClientOrderId.has(order.clientOrderId))
      return deny(`clientOrderId ${order.clientOrderId} was already sent to IBKR`);
    const block = this.tradingBlock();
    if (block) return deny(block);
    const account = this.routingAccount();
    if (!account.ok) return deny(account.reason);

    const persisted = this.opts.lastUsedOrderId?.() ?? 0;
    const id = this.conn.nextOrderId(Math.max(persisted, this.highestUsedId) + 1);
    this.highestUsedId = id;
    const tracked: TrackedOrder = {
      clientOrderId: order.clientOrderId,
      ibOrderId: id,
      symbol: order.symbol,
      side: order.side,
      stage: 'submitted',
      doneAs: null,
    };
    this.byClientOrderId.set(order.clientOrderId, tracked);
    this.byIbId.set(id, tracked);
    // 'submitted' is reported when PLACE_ORDER is written to the socket (see onSent).
    this.conn.api.placeOrder(id, stockContract(order.symbol), toIbOrder(order, account.account));
    return { ok: true };
  }

  cancel(clientOrderId: string): SubmitResult {
    const tracked = this.byClientOrderId.get(clientOrderId);
    if (!tracked) return deny(`IBKR knows no order ${clientOrderId} in this session; reconcile first`);
    if (tracked.stage === 'done') return deny(`order ${clientOrderId} is already ${tracked.doneAs ?? 'done'}`);
    // Cancels pass whatever the account type, but never while disconnected: they too would be queued.
    if (!this.conn.isConnected()) return deny(`IB Gateway not connected: ${this.conn.lastReason}`);
    if (this.linkBroken) return deny(this.linkBroken);
    this.conn.api.cancelOrder(tracked.ibOrderId);
    if (this.advance(tracked, 'cancelPending')) {
      this.emitSoon({ type: 'cancelPending', clientOrderId, ts: this.opts.clock.now() });
    }
    return { ok: true };
  }

  cancelAll(): Promise<void> {
    if (!this.conn.isConnected()) return Promise.reject(new IbNotConnectedError(this.conn.lastReason));
    const timeoutMs = this.opts.wireTimeoutMs ?? 5000;
    const done = new Promise<void>((resolve, reject) => {
      const waiter: WireWaiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          this.globalCancelWaiters.delete(waiter);
          reject(new Error(`reqGlobalCancel was not written to the socket within ${timeoutMs} ms`));
        }, timeoutMs),
      };
      waiter.timer.unref?.();
      this.globalCancelWaiters.add(waiter);
    });
    this.conn.api.reqGlobalCancel();
    return done;
  }

  async snapshot(sinceTs: number | null): Promise<BrokerSnapshot> {
    const snapshot = await this.snapshots.fetch(sinceTs);
    // The order manager applies these through reconciliation; a live repeat must not report them again.
    for (const exec of snapshot.executions) this.seenExecIds.add(exec.execId);
    return snapshot;
  }

  onReport(listener: (report: BrokerReport) => void): () => void {
    this.reportListeners.add(listener);
    return () => this.reportListeners.delete(listener);
  }

  /** Fires after every (re)connect; a listener added while connected also fires once, soon. */
  onReady(listener: () => void): () => void {
    this.readyListeners.add(listener);
    if (this.conn.isConnected()) {
      queueMicrotask(() => {
        if (this.readyListeners.has(listener)) this.callSafely(listener);
      });
    }
    return () => this.readyListeners.delete(listener);
  }

  /** The IB order id sent for a clientOrderId, for diagnostics and tests. */
  ibOrderIdOf(clientOrderId: string): number | undefined {
    return this.byClientOrderId.get(clientOrderId)?.ibOrderId;
  }

  // ------------------------------------------------------------------------------------------------

  /** Why orders must not be sent right now, or null. */
  private tradingBlock(): string | null {
    const allowed = this.conn.tradingAllowed();
    if (!allowed.allowed) return allowed.reason;
    return this.linkBroken;
  }

  private routingAccount(): { ok: true; account: string } | { ok: false; reason: string } {
    const accounts = this.conn.accounts;
    const wanted = this.opts.account;
    if (wanted) {
      return accounts.includes(wanted)
        ? { ok: true, account: wanted }
        : { ok: false, reason: `account ${wanted} is not managed by this gateway (${accounts.join(', ')})` };
    }
    if (accounts.length === 1) return { ok: true, account: accounts[0] as string };
    return { ok: false, reason: `the gateway manages ${accounts.length} accounts (${accounts.join(', ')}); set one` };
  }

  /** Moves an order's stage forward; false (report nothing) if it is already there or past it. */
  private advance(tracked: TrackedOrder, stage: Stage, doneAs?: string): boolean {
    if (STAGE_RANK[stage] <= STAGE_RANK[tracked.stage]) return false;
    tracked.stage = stage;
    if (doneAs) tracked.doneAs = doneAs;
    return true;
  }

  /** Our own order by IB id; orders of other clients share the id space and are not ours. */
  private own(orderId: number, clientId: number | undefined): TrackedOrder | undefined {
    if (clientId !== undefined && clientId !== this.conn.clientId) return undefined;
    return this.byIbId.get(orderId);
  }

  private onSent(tokens: unknown[]): void {
    const msgId = Number(tokens[0]);
    if (msgId === MSG_PLACE_ORDER) {
      const tracked = this.byIbId.get(Number(tokens[1]));
      if (tracked && tracked.stage === 'submitted') {
        this.emitSoon({
          type: 'submitted',
          clientOrderId: tracked.clientOrderId,
          brokerOrderId: String(tracked.ibOrderId),
          ts: this.opts.clock.now(),
        });
      }
    } else if (msgId === MSG_REQ_GLOBAL_CANCEL) {
      for (const waiter of this.globalCancelWaiters) {
        clearTimeout(waiter.timer);
        waiter.resolve();
      }
      this.globalCancelWaiters.clear();
    }
  }

  private onOpenOrder(orderId: number, contract: Contract, order: Order, state: OrderState): void {
    let tracked = this.own(orderId, order.clientId);
    if (!tracked && order.clientId === this.conn.clientId && order.orderRef) {
      // One of ours from before a restart of Kestrel: learn it silently so later changes are reported.
      tracked = this.learn(orderId, order.orderRef, contract.symbol ?? '', order.action === 'SELL' ? 'SELL' : 'BUY');
      const meaning = meaningOfIbStatus(state.status ?? '');
      tracked.stage = meaning === 'working' ? 'accepted' : meaning === 'cancelPending' ? 'cancelPending' : 'submitted';
      const doneAs = { canceled: 'CANCELED', filled: 'FILLED', inactive: 'INACTIVE' } as Record<string, string>;
      if (doneAs[meaning]) {
        tracked.stage = 'done';
        tracked.doneAs = doneAs[meaning] ?? null;
      }
      return;
    }
    if (tracked) this.onIbStatus(tracked, state.status ?? '');
  }

  private learn(orderId: number, clientOrderId: string, symbol: string, side: OrderSide): TrackedOrder {
    const tracked: TrackedOrder = { clientOrderId, ibOrderId: orderId, symbol, side, stage: 'submitted', doneAs: null };
    this.byIbId.set(orderId, tracked);
    if (!this.byClientOrderId.has(clientOrderId)) this.byClientOrderId.set(clientOrderId, tracked);
    this.highestUsedId = Math.max(this.highestUsedId, orderId);
    return tracked;
  }

  private onOrderStatus(orderId: number, status: string, clientId: number | undefined): void {
    const tracked = this.own(orderId, clientId);
    if (tracked) this.onIbStatus(tracked, status);
  }

  /** openOrder and orderStatus both carry the status; either may come first and both repeat. */
  private onIbStatus(tracked: TrackedOrder, status: string): void {
    const ts = this.opts.clock.now();
    const { clientOrderId } = tracked;
    switch (meaningOfIbStatus(status)) {
      case 'working':
        if (this.advance(tracked, 'accepted'))
          this.emit({ type: 'accepted', clientOrderId, brokerOrderId: String(tracked.ibOrderId), ts });
        break;
      case 'cancelPending':
        if (this.advance(tracked, 'cancelPending')) this.emit({ type: 'cancelPending', clientOrderId, ts });
        break;
      case 'canceled':
        if (this.advance(tracked, 'done', 'CANCELED'))
          this.emit({ type: 'canceled', clientOrderId, reason: `IB status ${status}`, ts });
        break;
      case 'filled':
        // Fills are reported from execDetails; the status only closes the lifecycle.
        this.advance(tracked, 'done', 'FILLED');
        break;
      case 'inactive':
        // Inactive before IB accepted it is a rejection (201 usually came first and already said so).
        if (tracked.stage === 'submitted' && this.advance(tracked, 'done', 'REJECTED'))
          this.emit({ type: 'rejected', clientOrderId, reason: 'IB reported the order Inactive', ts });
        break;
      default:
        break;
    }
  }

  private onError(e: IbError): void {
    const tracked = this.byIbId.get(e.reqId);
    const kind = classifyIbCode(e.code);
    if (!tracked) {
      if (kind !== 'information') this.opts.log?.warn({ code: e.code, id: e.reqId, message: e.message }, 'IB error');
      return;
    }
    const { clientOrderId } = tracked;
    const ts = this.opts.clock.now();
    if (kind === 'rejection') {
      if (this.advance(tracked, 'done', 'REJECTED'))
        this.emit({ type: 'rejected', clientOrderId, reason: e.message, code: e.code, ts });
    } else if (kind === 'cancel') {
      if (this.advance(tracked, 'done', 'CANCELED'))
        this.emit({ type: 'canceled', clientOrderId, reason: e.message, ts });
    } else if (kind === 'cancelRefused') {
      // 10147/10148/161: nothing to cancel (already filled or gone); its own messages tell what it is.
      if (tracked.stage === 'cancelPending') {
        tracked.stage = 'accepted';
        this.emit({ type: 'cancelRejected', clientOrderId, reason: e.message, ts });
      }
    } else {
      // Warnings change nothing.
      this.opts.log?.info({ code: e.code, clientOrderId, message: e.message }, 'IB order notice');
    }
  }

  private onInfo(message: string, code: number): void {
    if (code === 2110) this.linkBroken = `IB Gateway lost its link to IB's servers (2110): ${message}`;
    else if (code === IB_CONNECTIVITY.restored || code === IB_CONNECTIVITY.restoredDataLost) this.linkBroken = null;
  }

  private onExecution(reqId: number, contract: Contract, execution: Execution): void {
    if (reqId !== LIVE_REQ_ID) return; // a snapshot's answer: reconciliation applies it
    const execId = execution.execId;
    if (!execId || this.seenExecIds.has(execId)) return;
    this.seenExecIds.add(execId);
    const tracked = execution.orderId !== undefined ? this.own(execution.orderId, execution.clientId) : undefined;
    const clientOrderId = tracked?.clientOrderId ?? (execution.orderRef || null);
    if (!clientOrderId) {
      // Not a Kestrel order (no orderRef): reconciliation reports it as an external fill.
      this.opts.log?.warn({ execId, symbol: contract.symbol }, 'IB execution for an order Kestrel did not place');
      return;
    }
    if (!(execution.shares && execution.shares > 0) || execution.price === undefined) {
      this.opts.log?.warn({ execId, clientOrderId }, 'IB execution without shares or price ignored');
      return;
    }
    this.emit({
      type: 'fill',
      clientOrderId,
      execId,
      quantity: execution.shares,
      price: execution.price,
      ts: parseIbExecTime(execution.time) ?? this.opts.clock.now(),
    });
  }

  private onCommission(report: CommissionReport): void {
    const execId = report.execId;
    if (!execId || report.commission === undefined || this.commissionSent.has(execId)) return;
    // IB's "unset" double means the commission is not known yet; a real report follows.
    if (!(report.commission < 1e300)) return;
    this.commissionSent.add(execId);
    this.emit({
      type: 'commission',
      execId,
      commission: report.commission,
      currency: report.currency ?? 'USD',
      ts: this.opts.clock.now(),
    });
  }

  private emitReady(): void {
    for (const listener of [...this.readyListeners]) this.callSafely(listener);
  }

  private failGlobalCancel(reason: string): void {
    for (const waiter of this.globalCancelWaiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new IbNotConnectedError(reason));
    }
    this.globalCancelWaiters.clear();
  }

  /** Reports caused by our own call are delivered after it returns, so the caller is never re-entered. */
  private emitSoon(report: BrokerReport): void {
    queueMicrotask(() => this.emit(report));
  }

  private emit(report: BrokerReport): void {
    for (const listener of [...this.reportListeners]) this.callSafely(() => listener(report));
  }

  private callSafely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log?.error({ err }, 'IBKR broker listener failed');
    }
  }
}

function deny(reason: string): SubmitResult {
  return { ok: false, reason };
}
