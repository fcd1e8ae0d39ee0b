/**
 * Fetches what IB knows for reconciliation: every open order (reqAllOpenOrders → openOrderEnd),
 * executions since a time (reqExecutions → execDetailsEnd, with their commission reports) and
 * positions (reqPositions → positionEnd). Each request has its own timeout and fails with a
 * clear error, and all of them fail at once when the connection drops mid-way.
 */
import { EventName } from '@stoqey/ib';
import type { CommissionReport, Contract, Execution, Order, OrderState } from '@stoqey/ib';
import type { Clock } from '../clock';
import type { BrokerExecution, BrokerOpenOrder, BrokerPosition, BrokerSnapshot } from '../execution/types';
import type { IbConnection } from './connection';
import { IbNotConnectedError } from './connection';
import { listen } from './listen';
import { ibFilterTime, meaningOfIbStatus, orderTypeFromIb, parseIbExecTime, sideFromIb } from './orderMapping';

export class IbSnapshotError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IbSnapshotError';
  }
}

/** Execution request ids: one id space per connection, kept clear of order ids and market data (900 000+). */
let nextExecReqId = 800_000;

/** Orders of other clients (TWS, other API clients) reuse small order ids; permId is IB's global one. */
export function brokerOrderIdOf(ownClientId: number, clientId: number | undefined, orderId: number, permId?: number) {
  if (clientId === ownClientId) return String(orderId);
  return permId ? `perm:${permId}` : `client${clientId ?? '?'}:${orderId}`;
}

interface Pending<T> {
  what: string;
  resolve: (value: T) => void;
  reject: (err: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface OpenOrdersRun extends Pending<BrokerOpenOrder[]> {
  orders: Map<string, BrokerOpenOrder>;
}
interface ExecutionsRun extends Pending<BrokerExecution[]> {
  executions: Map<string, BrokerExecution>;
}
interface PositionsRun extends Pending<BrokerPosition[]> {
  positions: Map<string, BrokerPosition>;
}

export class IbSnapshotFetcher {
  private openOrdersRun: OpenOrdersRun | null = null;
  private readonly executionRuns = new Map<number, ExecutionsRun>();
  private positionsRun: PositionsRun | null = null;
  /** Snapshots run one at a time: open orders and positions carry no request id to tell runs apart. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly detach: (() => void)[] = [];

  constructor(
    private readonly connection: IbConnection,
    private readonly clock: Clock,
    private readonly timeoutMs: number,
  ) {
    const api = connection.api;
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
        filled: number,
        _r: number,
        _a: number,
        permId?: number,
        _p?: number,
        _l?: number,
        clientId?: number,
      ) => this.onOrderStatus(orderId, status, filled, permId, clientId),
    );
    on(EventName.openOrderEnd, () => this.finishOpenOrders());
    on(EventName.execDetails, (reqId: number, contract: Contract, execution: Execution) =>
      this.onExecution(reqId, contract, execution),
    );
    on(EventName.execDetailsEnd, (reqId: number) => {
      const run = this.executionRuns.get(reqId);
      if (run) this.settle(run, () => this.executionRuns.delete(reqId), [...run.executions.values()]);
    });
    on(EventName.commissionReport, (report: CommissionReport) => this.onCommission(report));
    on(EventName.position, (account: string, contract: Contract, pos: number, avgCost?: number) => {
      const run = this.positionsRun;
      if (!run || !contract.symbol) return;
      run.positions.set(`${account}|${contract.symbol}`, {
        account,
        symbol: contract.symbol,
        quantity: pos,
        avgCost: avgCost ?? 0,
      });
    });
    on(EventName.positionEnd, () => {
      const run = this.positionsRun;
      if (!run) return;
      this.settle(run, () => (this.positionsRun = null), [...run.positions.values()]);
      // One answer is all reconciliation needs; stop the live position stream.
      if (this.connection.isConnected()) this.connection.api.cancelPositions();
    });
    const offState = connection.onState((state, reason) => {
      if (state !== 'connected') this.failAll(`the IB connection dropped during the snapshot: ${reason}`);
    });
    this.detach.push(offState);
  }

  dispose(): void {
    this.failAll('the IBKR broker was closed');
    for (const d of this.detach.splice(0)) d();
  }

  /** Open orders, executions at or after `sinceTs` (all of today's when null) and positions. */
  fetch(sinceTs: number | null): Promise<BrokerSnapshot> {
    const run = this.chain.then(() => this.fetchNow(sinceTs));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async fetchNow(sinceTs: number | null): Promise<BrokerSnapshot> {
    if (!this.connection.isConnected()) throw new IbNotConnectedError(this.connection.lastReason);
    const [openOrders, executions, positions] = await Promise.all([
      this.requestOpenOrders(),
      this.requestExecutions(sinceTs),
      this.requestPositions(),
    ]);
    return { openOrders, executions, positions };
  }

  private requestOpenOrders(): Promise<BrokerOpenOrder[]> {
    return new Promise((resolve, reject) => {
      this.openOrdersRun = {
        ...this.pending(
          'open orders (reqAllOpenOrders, no openOrderEnd)',
          resolve,
          reject,
          () => (this.openOrdersRun = null),
        ),
        orders: new Map(),
      };
      this.connection.api.reqAllOpenOrders();
    });
  }

  private requestExecutions(sinceTs: number | null): Promise<BrokerExecution[]> {
    const reqId = nextExecReqId++;
    return new Promise((resolve, reject) => {
      this.executionRuns.set(reqId, {
        ...this.pending(`executions (reqExecutions ${reqId}, no execDetailsEnd)`, resolve, reject, () =>
          this.executionRuns.delete(reqId),
        ),
        executions: new Map(),
      });
      this.connection.api.reqExecutions(reqId, sinceTs === null ? {} : { time: ibFilterTime(sinceTs) });
    });
  }

  private requestPositions(): Promise<BrokerPosition[]> {
    return new Promise((resolve, reject) => {
      this.positionsRun = {
        ...this.pending('positions (reqPositions, no positionEnd)', resolve, reject, () => (this.positionsRun = null)),
        positions: new Map(),
      };
      this.connection.api.reqPositions();
    });
  }

  private pending<T>(
    what: string,
    resolve: (v: T) => void,
    reject: (e: Error) => void,
    forget: () => void,
  ): Pending<T> {
    const timer = setTimeout(() => {
      forget();
      reject(new IbSnapshotError(`IB snapshot: ${what} within ${this.timeoutMs} ms`));
    }, this.timeoutMs);
    timer.unref?.();
    return { what, resolve, reject, timer };
  }

  private settle<T>(run: Pending<T>, forget: () => void, value: T): void {
    clearTimeout(run.timer);
    forget();
    run.resolve(value);
  }

  private failAll(reason: string): void {
    const runs: Pending<never>[] = [
      ...(this.openOrdersRun ? [this.openOrdersRun] : []),
      ...this.executionRuns.values(),
      ...(this.positionsRun ? [this.positionsRun] : []),
    ] as Pending<never>[];
    this.openOrdersRun = null;
    this.executionRuns.clear();
    this.positionsRun = null;
    for (const run of runs) {
      clearTimeout(run.timer);
      run.reject(new IbSnapshotError(`IB snapshot: ${reason}`));
    }
  }

  private key(clientId: number | undefined, orderId: number, permId: number | undefined): string {
    return brokerOrderIdOf(this.connection.clientId, clientId, orderId, permId);
  }

  private onOpenOrder(orderId: number, contract: Contract, order: Order, state: OrderState): void {
    const run = this.openOrdersRun;
    if (!run) return;
    const brokerOrderId = this.key(order.clientId, orderId, order.permId);
    const side = sideFromIb(order.action);
    const type = orderTypeFromIb(order.orderType);
    const status = state.status ?? 'Unknown';
    const meaning = meaningOfIbStatus(status);
    if (meaning === 'canceled' || meaning === 'filled' || meaning === 'inactive') {
      run.orders.delete(brokerOrderId);
      return;
    }
    const previous = run.orders.get(brokerOrderId);
    run.orders.set(brokerOrderId, {
      brokerOrderId,
      clientOrderId: order.orderRef ? order.orderRef : null,
      symbol: contract.symbol ?? '',
      side: side ?? 'BUY',
      quantity: order.totalQuantity ?? 0,
      filled: previous?.filled ?? order.filledQuantity ?? 0,
      // Unknown order types (STP, ...) are reported as LMT/MKT by their price; the status says what it is.
      type: type ?? (order.lmtPrice ? 'LMT' : 'MKT'),
      ...(order.lmtPrice !== undefined && type !== 'MKT' ? { limitPrice: order.lmtPrice } : {}),
      status,
      ...(order.account ? { account: order.account } : {}),
    });
  }

  private onOrderStatus(orderId: number, status: string, filled: number, permId?: number, clientId?: number): void {
    const run = this.openOrdersRun;
    if (!run) return;
    const key = this.key(clientId, orderId, permId);
    const meaning = meaningOfIbStatus(status);
    if (meaning === 'canceled' || meaning === 'filled' || meaning === 'inactive') {
      run.orders.delete(key);
      return;
    }
    const entry = run.orders.get(key);
    if (entry) run.orders.set(key, { ...entry, filled, status });
  }

  private finishOpenOrders(): void {
    const run = this.openOrdersRun;
    if (run) this.settle(run, () => (this.openOrdersRun = null), [...run.orders.values()]);
  }

  private onExecution(reqId: number, contract: Contract, execution: Execution): void {
    const run = this.executionRuns.get(reqId);
    if (!run || !execution.execId) return;
    const side = sideFromIb(execution.side);
    if (!side) return;
    run.executions.set(execution.execId, {
      execId: execution.execId,
      brokerOrderId: this.key(execution.clientId, execution.orderId ?? 0, execution.permId),
      clientOrderId: execution.orderRef ? execution.orderRef : null,
      symbol: contract.symbol ?? '',
      side,
      quantity: execution.shares ?? 0,
      price: execution.price ?? 0,
      ts: parseIbExecTime(execution.time) ?? this.clock.now(),
      ...(execution.acctNumber ? { account: execution.acctNumber } : {}),
    });
  }

  private onCommission(report: CommissionReport): void {
    if (!report.execId || report.commission === undefined) return;
    for (const run of this.executionRuns.values()) {
      const exec = run.executions.get(report.execId);
      if (exec) exec.commission = report.commission;
    }
  }
}
