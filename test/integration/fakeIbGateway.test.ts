// Drives the real @stoqey/ib 1.6.10 client against the fake IB Gateway over real sockets. Every test also
// fails if the client's strict decoder reports error 505 (a layout the fake got wrong).
import { afterEach, describe, expect, it } from 'vitest';
import { BarSizeSetting, EventName, IBApi, IBApiNext, OrderAction, OrderType, SecType, WhatToShow } from '@stoqey/ib';
import type { CommissionReport, Contract, Execution, Order, OrderState } from '@stoqey/ib';
import { FakeIbGateway, GatewayMsg, UNSET_DOUBLE } from '../fakes/ibGateway';
import type { FakeIbGatewayOptions } from '../fakes/ibGateway';

const WAIT_MS = 3000;

interface ErrorEvent {
  code: number;
  reqId: number;
  message: string;
}

interface StatusEvent {
  orderId: number;
  status: string;
  filled: number;
  remaining: number;
  avgFillPrice: number;
  clientId: number | undefined;
}

/** One IBApi connection with every event this suite cares about recorded in arrival order. */
class ClientProbe {
  readonly errors: ErrorEvent[] = [];
  readonly infos: { code: number; message: string }[] = [];
  readonly nextValidIds: number[] = [];
  readonly accounts: string[] = [];
  readonly statuses: StatusEvent[] = [];
  readonly openOrders: { orderId: number; contract: Contract; order: Order; state: OrderState }[] = [];
  openOrderEnds = 0;
  readonly execs: { reqId: number; contract: Contract; execution: Execution }[] = [];
  readonly execEnds: number[] = [];
  readonly commissions: CommissionReport[] = [];
  readonly ticks: { reqId: number; field: number; value: number | undefined }[] = [];
  readonly sizes: { reqId: number; field: number | undefined; value: number | undefined }[] = [];
  readonly bars: { reqId: number; time: number; close: number; volume: number; count: number }[] = [];
  readonly history: { reqId: number; date: string; close: number; volume: number; count: number | undefined }[] = [];
  readonly positions: { account: string; symbol: string | undefined; pos: number; avgCost: number | undefined }[] = [];
  positionEnds = 0;
  readonly summary: { reqId: number; account: string; tag: string; value: string }[] = [];
  readonly summaryEnds: number[] = [];
  readonly currentTimes: number[] = [];
  disconnects = 0;

  constructor(readonly api: IBApi) {
    api.on(EventName.error, (err: Error, code: number, reqId: number) => {
      this.errors.push({ code, reqId, message: err.message });
    });
    api.on(EventName.info, (message: string, code: number) => this.infos.push({ code, message }));
    api.on(EventName.nextValidId, (id: number) => this.nextValidIds.push(id));
    api.on(EventName.managedAccounts, (list: string) => this.accounts.push(list));
    api.on(
      EventName.orderStatus,
      (orderId, status, filled, remaining, avgFillPrice, _permId, _parentId, _last, clientId) =>
        this.statuses.push({ orderId, status, filled, remaining, avgFillPrice, clientId }),
    );
    api.on(EventName.openOrder, (orderId, contract, order, state) =>
      this.openOrders.push({ orderId, contract, order, state }),
    );
    api.on(EventName.openOrderEnd, () => (this.openOrderEnds += 1));
    api.on(EventName.execDetails, (reqId, contract, execution) => this.execs.push({ reqId, contract, execution }));
    api.on(EventName.execDetailsEnd, (reqId) => this.execEnds.push(reqId));
    api.on(EventName.commissionReport, (report) => this.commissions.push(report));
    api.on(EventName.tickPrice, (reqId, field, value) => this.ticks.push({ reqId, field, value }));
    api.on(EventName.tickSize, (reqId, field, value) => this.sizes.push({ reqId, field, value }));
    api.on(EventName.realtimeBar, (reqId, time, _o, _h, _l, close, volume, _wap, count) =>
      this.bars.push({ reqId, time, close, volume, count }),
    );
    api.on(EventName.historicalData, (reqId, date, _o, _h, _l, close, volume, count) =>
      this.history.push({ reqId, date, close, volume, count }),
    );
    api.on(EventName.position, (account, contract, pos, avgCost) =>
      this.positions.push({ account, symbol: contract.symbol, pos, avgCost }),
    );
    api.on(EventName.positionEnd, () => (this.positionEnds += 1));
    api.on(EventName.accountSummary, (reqId, account, tag, value) => this.summary.push({ reqId, account, tag, value }));
    api.on(EventName.accountSummaryEnd, (reqId) => this.summaryEnds.push(reqId));
    api.on(EventName.disconnected, () => (this.disconnects += 1));
    api.on(EventName.currentTime, (time: number) => this.currentTimes.push(time));
  }

  /** Errors the decoder raises for layouts it cannot consume (extra fields, unknown ids, underruns). */
  get decodeErrors(): ErrorEvent[] {
    return this.errors.filter((e) => e.code === 505);
  }

  statusesOf(orderId: number): StatusEvent[] {
    return this.statuses.filter((s) => s.orderId === orderId);
  }

  errorsOf(orderId: number): ErrorEvent[] {
    return this.errors.filter((e) => e.reqId === orderId);
  }
}

const gateways: FakeIbGateway[] = [];
const probes: ClientProbe[] = [];
const extraCleanups: (() => void)[] = [];

afterEach(async () => {
  const decodeErrors = probes.flatMap((p) => p.decodeErrors);
  for (const probe of probes.splice(0)) probe.api.disconnect();
  for (const cleanup of extraCleanups.splice(0)) cleanup();
  await Promise.all(gateways.splice(0).map((gw) => gw.stop()));
  // Checked after cleanup so a failure here still leaves no sockets behind.
  expect(decodeErrors).toEqual([]);
});

async function until<T>(what: string, predicate: () => T | undefined | null | false, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function startGateway(options: FakeIbGatewayOptions = {}): Promise<FakeIbGateway> {
  const gw = new FakeIbGateway(options);
  gateways.push(gw);
  await gw.start();
  return gw;
}

/** Connects an IBApi and waits for the handshake to finish (nextValidId is the "ready" signal). */
async function connectClient(gw: FakeIbGateway, clientId: number): Promise<ClientProbe> {
  const probe = new ClientProbe(new IBApi({ host: '127.0.0.1', port: gw.port }));
  probes.push(probe);
  probe.api.connect(clientId);
  await until('nextValidId', () => probe.nextValidIds.length > 0);
  return probe;
}

async function reconnect(probe: ClientProbe, clientId: number): Promise<number> {
  const seen = probe.nextValidIds.length;
  probe.api.connect(clientId);
  await until('nextValidId after reconnect', () => probe.nextValidIds.length > seen);
  return probe.nextValidIds[probe.nextValidIds.length - 1] as number;
}

function stock(symbol: string): Contract {
  return { symbol, secType: SecType.STK, exchange: 'SMART', currency: 'USD' };
}

function market(action: OrderAction, qty: number, orderRef: string): Order {
  return { action, totalQuantity: qty, orderType: OrderType.MKT, orderRef, transmit: true, tif: 'DAY' };
}

function limit(action: OrderAction, qty: number, price: number, orderRef: string): Order {
  return {
    action,
    totalQuantity: qty,
    orderType: OrderType.LMT,
    lmtPrice: price,
    orderRef,
    transmit: true,
    tif: 'DAY',
  };
}

function lastId(probe: ClientProbe): number {
  return probe.nextValidIds[probe.nextValidIds.length - 1] as number;
}

describe('fake IB Gateway: handshake and plain requests', () => {
  it('completes the handshake with server version 193, accounts, nextValidId and farm notices', async () => {
    const gw = await startGateway({ nextValidId: 42 });
    const probe = await connectClient(gw, 3);

    expect(probe.api.serverVersion).toBe(193);
    expect(probe.nextValidIds).toEqual([42]);
    expect(probe.accounts).toEqual(['DU1234567']);
    await until('farm notices', () => probe.infos.length >= 3);
    expect(probe.infos.map((i) => i.code)).toEqual([2104, 2106, 2158]);
    // id -1 messages go to `info`, never to `error`.
    expect(probe.errors).toEqual([]);

    const startApi = gw.receivedOfType('START_API')[0];
    expect(startApi?.fields.slice(0, 3)).toEqual(['71', '2', '3']);
    expect(gw.receivedOfType('HANDSHAKE')[0]?.fields[0]).toBe('v100..193');
    expect(gw.connectedClientIds()).toEqual([3]);
  });

  it('answers REQ_CURRENT_TIME, REQ_IDS and REQ_MANAGED_ACCTS', async () => {
    const gw = await startGateway({ now: () => 1_767_268_800_000 });
    const probe = await connectClient(gw, 1);

    probe.api.reqCurrentTime();
    probe.api.reqIds();
    probe.api.reqManagedAccts();

    await until('current time', () => probe.currentTimes.length === 1);
    expect(probe.currentTimes).toEqual([1_767_268_800]);
    await until('second nextValidId', () => probe.nextValidIds.length === 2);
    expect(probe.nextValidIds).toEqual([1, 1]);
    await until('second managedAccounts', () => probe.accounts.length === 2);
    expect(gw.receivedOfType('REQ_IDS')).toHaveLength(1);
  });

  it('presents a non-DU account, over IBApi and IBApiNext', async () => {
    const gw = await startGateway({ accounts: ['U7654321'] });
    const probe = await connectClient(gw, 1);
    expect(probe.accounts).toEqual(['U7654321']);

    const next = new IBApiNext({ host: '127.0.0.1', port: gw.port, logger: silentLogger });
    extraCleanups.push(() => next.disconnect());
    next.connect(2);
    expect(await next.getManagedAccounts()).toEqual(['U7654321']);
  });

  it('refuses a second connection with a client id already in use (326 on info)', async () => {
    const gw = await startGateway();
    await connectClient(gw, 5);
    const second = new ClientProbe(new IBApi({ host: '127.0.0.1', port: gw.port }));
    probes.push(second);
    second.api.connect(5);
    await until('326', () => second.infos.find((i) => i.code === 326));
    await until('disconnect', () => second.disconnects > 0);
    expect(second.nextValidIds).toEqual([]);
  });
});

describe('fake IB Gateway: orders', () => {
  it('fills a market order: openOrder, orderStatus Filled, execDetails and commissionReport', async () => {
    const gw = await startGateway({ prices: { AAPL: 190.5 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);

    probe.api.placeOrder(id, stock('AAPL'), { ...market(OrderAction.BUY, 10, 'kestrel-1'), account: 'DU1234567' });

    await until('Filled', () => probe.statusesOf(id).find((s) => s.status === 'Filled'));
    await until('commission', () => probe.commissions.length === 1);

    expect(probe.statusesOf(id).map((s) => s.status)).toEqual(['PreSubmitted', 'Submitted', 'Filled']);
    const filled = probe.statusesOf(id).at(-1);
    expect(filled).toMatchObject({ filled: 10, remaining: 0, avgFillPrice: 190.5, clientId: 1 });

    const open = probe.openOrders.filter((o) => o.orderId === id);
    expect(open.map((o) => o.state.status)).toEqual(['PreSubmitted', 'Submitted', 'Filled']);
    expect(open[0]?.contract).toMatchObject({ symbol: 'AAPL', secType: 'STK', conId: 265598, currency: 'USD' });
    expect(open[0]?.order).toMatchObject({
      action: 'BUY',
      totalQuantity: 10,
      orderType: 'MKT',
      orderRef: 'kestrel-1',
      account: 'DU1234567',
      clientId: 1,
      tif: 'DAY',
    });

    expect(probe.execs).toHaveLength(1);
    const exec = probe.execs[0];
    expect(exec?.reqId).toBe(-1);
    expect(exec?.contract.symbol).toBe('AAPL');
    expect(exec?.execution).toMatchObject({
      orderId: id,
      side: 'BOT',
      shares: 10,
      price: 190.5,
      cumQty: 10,
      avgPrice: 190.5,
      orderRef: 'kestrel-1',
      acctNumber: 'DU1234567',
      clientId: 1,
    });
    expect(exec?.execution.execId).toMatch(/^[0-9a-f]+\.[0-9a-f]+\.\d+\.\d+$/);
    expect(probe.commissions[0]).toMatchObject({ execId: exec?.execution.execId, commission: 1, currency: 'USD' });

    // The fake parsed PLACE_ORDER fields at the documented indices.
    expect(gw.order(id)).toMatchObject({ action: 'BUY', totalQty: 10, orderType: 'MKT', orderRef: 'kestrel-1' });
    expect(gw.order(id)?.contract).toMatchObject({ symbol: 'AAPL', secType: 'STK', exchange: 'SMART' });
  });

  it('sells at the last price set for the symbol and keeps positions', async () => {
    const gw = await startGateway();
    gw.setPosition('DU1234567', 'MSFT', 20, 400);
    const probe = await connectClient(gw, 1);
    gw.setPrice('MSFT', 410.25);
    const id = lastId(probe);

    probe.api.placeOrder(id, stock('MSFT'), market(OrderAction.SELL, 5, 'trim'));
    await until('SLD exec', () => probe.execs.find((e) => e.execution.orderId === id));
    expect(probe.execs[0]?.execution).toMatchObject({ side: 'SLD', shares: 5, price: 410.25 });

    probe.api.reqPositions();
    await until('positionEnd', () => probe.positionEnds === 1);
    expect(probe.positions).toEqual([{ account: 'DU1234567', symbol: 'MSFT', pos: 15, avgCost: 400 }]);
  });

  it('fills partially in slices whose sizes add up, each with its own execId', async () => {
    const gw = await startGateway({ prices: { SPY: 500 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);
    gw.fillNextOrderInSlices([30, 30, 40]);

    probe.api.placeOrder(id, stock('SPY'), market(OrderAction.BUY, 100, 'sliced'));
    await until('Filled', () => probe.statusesOf(id).find((s) => s.status === 'Filled'));
    await until('3 commissions', () => probe.commissions.length === 3);

    const execs = probe.execs.filter((e) => e.execution.orderId === id).map((e) => e.execution);
    expect(execs.map((e) => e.shares)).toEqual([30, 30, 40]);
    expect(execs.map((e) => e.cumQty)).toEqual([30, 60, 100]);
    expect(execs.reduce((sum, e) => sum + (e.shares ?? 0), 0)).toBe(100);
    expect(new Set(execs.map((e) => e.execId)).size).toBe(3);
    expect(probe.statusesOf(id).map((s) => [s.status, s.filled, s.remaining])).toEqual([
      ['PreSubmitted', 0, 100],
      ['Submitted', 0, 100],
      ['Submitted', 30, 70],
      ['Submitted', 60, 40],
      ['Filled', 100, 0],
    ]);
    expect(new Set(probe.commissions.map((c) => c.execId))).toEqual(new Set(execs.map((e) => e.execId)));
  });

  it('leaves the rest of a partially filled order working until the broker fills it', async () => {
    const gw = await startGateway({ prices: { QQQ: 400 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);
    gw.fillNextOrderInSlices([25]);

    probe.api.placeOrder(id, stock('QQQ'), market(OrderAction.BUY, 100, 'partial'));
    await until('first slice', () => probe.statusesOf(id).find((s) => s.filled === 25));
    expect(gw.order(id)?.status).toBe('Submitted');

    gw.fillOrder(id, { price: 401 });
    await until('Filled', () => probe.statusesOf(id).find((s) => s.status === 'Filled'));
    expect(probe.statusesOf(id).at(-1)).toMatchObject({ filled: 100, avgFillPrice: 400.75 });
  });

  it('rejects the next order with error 201 on its id and never fills it', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);
    gw.rejectNextOrder({ message: 'Order rejected - reason:Insufficient buying power' });

    probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 1000, 'too-big'));
    probe.api.placeOrder(id + 1, stock('AAPL'), market(OrderAction.BUY, 1, 'ok'));
    // The second order's fill proves the gateway is past the first one.
    await until('second order filled', () => probe.statusesOf(id + 1).find((s) => s.status === 'Filled'));

    expect(probe.errorsOf(id)).toEqual([
      { code: 201, reqId: id, message: 'Order rejected - reason:Insufficient buying power' },
    ]);
    expect(probe.statusesOf(id)).toEqual([]);
    expect(probe.execs.filter((e) => e.execution.orderId === id)).toEqual([]);
    expect(gw.executions().map((e) => e.orderId)).toEqual([id + 1]);
    expect(gw.order(id)?.status).toBe('Inactive');
    expect(gw.placedOrders(1).map((o) => [o.orderId, o.totalQty, o.orderRef])).toEqual([
      [id, 1000, 'too-big'],
      [id + 1, 1, 'ok'],
    ]);
  });

  it('can follow a rejection with a scripted status', async () => {
    const gw = await startGateway();
    const probe = await connectClient(gw, 1);
    gw.rejectNextOrder({
      code: 201,
      message: 'Order rejected - reason:No trading permissions',
      thenStatus: 'Cancelled',
    });

    probe.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 1, 'no-perm'));
    await until('Cancelled', () => probe.statusesOf(1).find((s) => s.status === 'Cancelled'));
    expect(probe.errorsOf(1).map((e) => e.code)).toEqual([201]);
    expect(probe.execs).toEqual([]);
  });

  it('cancels a working order with error 202 and status Cancelled', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);

    probe.api.placeOrder(id, stock('AAPL'), limit(OrderAction.BUY, 10, 150, 'resting'));
    await until('Submitted', () => probe.statusesOf(id).find((s) => s.status === 'Submitted'));
    probe.api.cancelOrder(id);

    await until('Cancelled', () => probe.statusesOf(id).find((s) => s.status === 'Cancelled'));
    expect(probe.errorsOf(id).map((e) => e.code)).toEqual([202]);
    expect(gw.order(id)?.status).toBe('Cancelled');

    // Cancelling again is refused, as IB does for an order that is no longer working.
    probe.api.cancelOrder(id);
    await until('10148', () => probe.errorsOf(id).find((e) => e.code === 10148));
  });

  it('fills a resting limit order when the price crosses, and applies modifications', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);

    probe.api.placeOrder(id, stock('AAPL'), limit(OrderAction.BUY, 10, 185, 'dip'));
    await until('Submitted', () => probe.statusesOf(id).find((s) => s.status === 'Submitted'));
    gw.setPrice('AAPL', 186);
    expect(gw.order(id)?.status).toBe('Submitted');

    // Same id again = modify: raise the limit above the market and it fills at the market price.
    probe.api.placeOrder(id, stock('AAPL'), limit(OrderAction.BUY, 10, 187, 'dip'));
    await until('Filled', () => probe.statusesOf(id).find((s) => s.status === 'Filled'));
    expect(probe.execs[0]?.execution.price).toBe(186);
    expect(probe.openOrders.some((o) => o.orderId === id && o.order.lmtPrice === 187)).toBe(true);
  });

  it('global cancel cancels every working order of every client', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const a = await connectClient(gw, 1);
    const b = await connectClient(gw, 2);
    a.api.placeOrder(lastId(a), stock('AAPL'), limit(OrderAction.BUY, 1, 100, 'a1'));
    a.api.placeOrder(lastId(a) + 1, stock('AAPL'), limit(OrderAction.SELL, 1, 300, 'a2'));
    b.api.placeOrder(lastId(b), stock('AAPL'), limit(OrderAction.BUY, 1, 100, 'b1'));
    await gw.waitFor(
      () => gw.workingOrders().filter((o) => o.status === 'Submitted').length === 3,
      WAIT_MS,
      '3 working',
    );

    a.api.reqGlobalCancel();
    await gw.waitForReceived('REQ_GLOBAL_CANCEL');
    await until('a cancelled', () => a.statuses.filter((s) => s.status === 'Cancelled').length === 2);
    await until('b cancelled', () => b.statuses.filter((s) => s.status === 'Cancelled').length === 1);
    expect(gw.workingOrders()).toEqual([]);
    expect(b.errorsOf(lastId(b)).map((e) => e.code)).toEqual([202]);
  });

  it('keeps orders per clientId: same ids on two clients, and no cross-client cancel', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const a = await connectClient(gw, 1);
    const b = await connectClient(gw, 2);

    a.api.placeOrder(1, stock('AAPL'), limit(OrderAction.BUY, 1, 100, 'from-a'));
    b.api.placeOrder(1, stock('AAPL'), limit(OrderAction.BUY, 2, 100, 'from-b'));
    await gw.waitFor(() => gw.workingOrders().length === 2, WAIT_MS, 'two working orders');
    expect(gw.order(1, 1)?.orderRef).toBe('from-a');
    expect(gw.order(1, 2)?.orderRef).toBe('from-b');
    await until('b acked', () => b.statusesOf(1).find((s) => s.status === 'Submitted'));
    expect(a.openOrders.map((o) => o.order.orderRef)).not.toContain('from-b');
    expect(b.openOrders.map((o) => o.order.orderRef)).not.toContain('from-a');

    b.api.cancelOrder(1);
    await until('b cancelled', () => b.statusesOf(1).find((s) => s.status === 'Cancelled'));
    expect(gw.order(1, 1)?.status).toBe('Submitted');
    expect(a.statuses.filter((s) => s.status === 'Cancelled')).toEqual([]);
  });

  it('reqOpenOrders returns this client’s working orders then openOrderEnd; reqAllOpenOrders returns all', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const a = await connectClient(gw, 1);
    const b = await connectClient(gw, 2);
    a.api.placeOrder(1, stock('AAPL'), limit(OrderAction.BUY, 1, 100, 'a1'));
    a.api.placeOrder(2, stock('AAPL'), limit(OrderAction.BUY, 1, 101, 'a2'));
    a.api.placeOrder(3, stock('AAPL'), market(OrderAction.BUY, 1, 'a3-filled'));
    b.api.placeOrder(1, stock('AAPL'), limit(OrderAction.BUY, 1, 102, 'b1'));
    await until('a3 filled', () => a.statusesOf(3).find((s) => s.status === 'Filled'));
    await gw.waitFor(() => gw.workingOrders().length === 3, WAIT_MS, 'three working');

    a.openOrders.length = 0;
    a.api.reqOpenOrders();
    await until('openOrderEnd', () => a.openOrderEnds === 1);
    expect(a.openOrders.map((o) => o.order.orderRef)).toEqual(['a1', 'a2']);

    a.openOrders.length = 0;
    a.api.reqAllOpenOrders();
    await until('second openOrderEnd', () => a.openOrderEnds === 2);
    expect(a.openOrders.map((o) => o.order.orderRef).sort()).toEqual(['a1', 'a2', 'b1']);

    a.openOrders.length = 0;
    a.api.reqAutoOpenOrders(true);
    await until('third openOrderEnd', () => a.openOrderEnds === 3);
    expect(a.openOrders.map((o) => o.order.orderRef)).toEqual(['a1', 'a2']);
  });

  it('delays acknowledgements by the scripted time', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);
    gw.setAckDelay(250);

    probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 1, 'slow'));
    const received = await gw.waitForReceived('PLACE_ORDER');
    await until('Filled', () => probe.statusesOf(id).find((s) => s.status === 'Filled'));
    const firstStatus = gw.sentOfType('ORDER_STATUS', 1)[0];
    // A lower bound only: the ack cannot come before the delay has elapsed.
    expect((firstStatus?.at ?? 0) - received.at).toBeGreaterThanOrEqual(240);
  });

  it('repeats orderStatus/openOrder K times and duplicates execDetails', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const id = lastId(probe);
    gw.setRepeat({ orderStatus: 3, openOrder: 2 });
    gw.duplicateExecDetails();

    probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 5, 'noisy'));
    await until('3 Filled', () => probe.statusesOf(id).filter((s) => s.status === 'Filled').length === 3);
    await until('commission', () => probe.commissions.length === 1);

    const statuses = probe.statusesOf(id).map((s) => s.status);
    expect(statuses).toEqual([
      ...Array(3).fill('PreSubmitted'),
      ...Array(3).fill('Submitted'),
      ...Array(3).fill('Filled'),
    ]);
    expect(probe.openOrders.filter((o) => o.orderId === id).map((o) => o.state.status)).toEqual([
      'PreSubmitted',
      'PreSubmitted',
      'Submitted',
      'Submitted',
      'Filled',
      'Filled',
    ]);
    const execIds = probe.execs.map((e) => e.execution.execId);
    expect(execIds).toHaveLength(2);
    expect(execIds[0]).toBe(execIds[1]);
  });
});

describe('fake IB Gateway: disconnects and restarts', () => {
  it('drops the socket on PLACE_ORDER, fills while the client is away, and reports it via reqExecutions', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 7);
    const id = lastId(probe);
    gw.disconnectOnNextOrder({ outcome: 'filled' });

    probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 3, 'lost-ack'));
    await until('disconnected', () => probe.disconnects > 0);
    expect(probe.statuses).toEqual([]);
    expect(probe.execs).toEqual([]);
    expect(gw.order(id, 7)?.status).toBe('Filled');

    const nextId = await reconnect(probe, 7);
    expect(nextId).toBe(id + 1);
    probe.api.reqExecutions(900, {});
    await until('execDetailsEnd', () => probe.execEnds.includes(900));
    expect(probe.execs.map((e) => [e.reqId, e.execution.orderId, e.execution.shares, e.execution.orderRef])).toEqual([
      [900, id, 3, 'lost-ack'],
    ]);
    expect(probe.commissions.map((c) => c.execId)).toEqual([probe.execs[0]?.execution.execId]);
  });

  it('leaves the order working when scripted, so reqOpenOrders after reconnect shows it', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 7);
    const id = lastId(probe);
    gw.disconnectOnNextOrder({ outcome: 'working', when: 'ack' });

    probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 3, 'held'));
    await until('disconnected', () => probe.disconnects > 0);
    // With when: 'ack' the acknowledgement was flushed before the socket closed.
    expect(probe.statusesOf(id).map((s) => s.status)).toEqual(['PreSubmitted', 'Submitted']);

    await reconnect(probe, 7);
    probe.api.reqOpenOrders();
    await until('openOrderEnd', () => probe.openOrderEnds === 1);
    expect(probe.openOrders.filter((o) => o.state.status === 'Submitted').map((o) => o.orderId)).toContain(id);
  });

  it('honours the execution filter time and each client sees only its own executions', async () => {
    let now = Date.UTC(2026, 0, 2, 15, 0, 0);
    const gw = await startGateway({ prices: { AAPL: 190 }, now: () => now });
    const a = await connectClient(gw, 1);
    const b = await connectClient(gw, 2);
    a.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 1, 'early'));
    await until('early fill', () => a.statusesOf(1).find((s) => s.status === 'Filled'));
    now = Date.UTC(2026, 0, 2, 16, 0, 0);
    a.api.placeOrder(2, stock('AAPL'), market(OrderAction.BUY, 1, 'late'));
    b.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 1, 'other-client'));
    await until('late fill', () => a.statusesOf(2).find((s) => s.status === 'Filled'));
    await until('b fill', () => b.statusesOf(1).find((s) => s.status === 'Filled'));

    a.execs.length = 0;
    a.api.reqExecutions(5, { time: '20260102-15:30:00' });
    await until('end 5', () => a.execEnds.includes(5));
    expect(a.execs.map((e) => e.execution.orderRef)).toEqual(['late']);
    expect(a.execs[0]?.execution.time).toBe('20260102 11:00:00 US/Eastern');

    a.execs.length = 0;
    a.api.reqExecutions(7, { time: '20260102 10:30:00 US/Eastern' }); // = 15:30 UTC
    await until('end 7', () => a.execEnds.includes(7));
    expect(a.execs.map((e) => e.execution.orderRef)).toEqual(['late']);

    a.execs.length = 0;
    a.api.reqExecutions(6, {});
    await until('end 6', () => a.execEnds.includes(6));
    expect(a.execs.map((e) => e.execution.orderRef)).toEqual(['early', 'late']);
  });

  it('restarts on the same port with a rolled-back nextValidId; reusing ids is refused (103/104)', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    const port = gw.port;
    // Id 1 is skipped on purpose: it was never used, but it is below the client's high-water mark.
    for (const id of [2, 3, 4]) probe.api.placeOrder(id, stock('AAPL'), market(OrderAction.BUY, 1, `o${id}`));
    await until('3 fills', () => probe.statuses.filter((s) => s.status === 'Filled').length === 3);

    await gw.restart({ nextValidId: 1 });
    expect(gw.port).toBe(port);
    await until('disconnected', () => probe.disconnects > 0);
    const rolledBack = await reconnect(probe, 1);
    expect(rolledBack).toBe(1);
    expect(gw.executions()).toHaveLength(3); // state kept: IB's servers still know the fills

    probe.api.placeOrder(rolledBack, stock('AAPL'), market(OrderAction.BUY, 1, 'below-high-water'));
    probe.api.placeOrder(rolledBack + 1, stock('AAPL'), market(OrderAction.BUY, 1, 'reuses-filled'));
    await until('103', () => probe.errorsOf(1).find((e) => e.code === 103));
    await until('104', () => probe.errorsOf(2).find((e) => e.code === 104));
    expect(probe.errorsOf(1).map((e) => e.message)).toEqual(['Duplicate order id']);
    expect(gw.placedOrderIds(1)).toEqual([2, 3, 4, 1, 2]);
    expect(gw.executions()).toHaveLength(3);
  });

  it('restart with state reset forgets orders and positions', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    probe.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 1, 'x'));
    await until('fill', () => probe.statusesOf(1).find((s) => s.status === 'Filled'));

    await gw.restart({ state: 'reset', nextValidId: 1 });
    await until('disconnected', () => probe.disconnects > 0);
    expect(await reconnect(probe, 1)).toBe(1);
    probe.api.reqPositions();
    await until('positionEnd', () => probe.positionEnds === 1);
    expect(probe.positions).toEqual([]);
    expect(gw.allOrders()).toEqual([]);
  });
});

describe('fake IB Gateway: market data and account', () => {
  it('streams ticks for reqMktData and pushes new quotes on setPrice', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);

    probe.api.reqMktData(11, stock('AAPL'), '', false, false);
    await until('3 ticks', () => probe.ticks.length >= 3);
    expect(probe.ticks).toEqual([
      { reqId: 11, field: 1, value: 189.99 },
      { reqId: 11, field: 2, value: 190.01 },
      { reqId: 11, field: 4, value: 190 },
    ]);
    await until('volume size', () => probe.sizes.find((s) => s.field === 8));
    // TICK_PRICE v3 carries a size that the client turns into ask/last size ticks (3, 5) but not the bid's:
    // BID_SIZE is 0 and the decoder tests it for truthiness. The separate TICK_SIZE messages follow.
    expect(probe.sizes.map((s) => s.field)).toEqual([3, 5, 0, 3, 5, 8]);

    gw.setPrice('AAPL', 191);
    await until('new last', () => probe.ticks.find((t) => t.field === 4 && t.value === 191));

    probe.api.cancelMktData(11);
    await gw.waitForReceived('CANCEL_MKT_DATA');
    const before = probe.ticks.length;
    gw.setPrice('AAPL', 192);
    // Anything pushed for the cancelled subscription would arrive before this reply.
    probe.api.reqCurrentTime();
    await until('current time', () => probe.currentTimes.length === 1);
    expect(probe.ticks.length).toBe(before);
  });

  it('delivers pushed real-time bars and scripted historical bars', async () => {
    const gw = await startGateway();
    const probe = await connectClient(gw, 1);

    probe.api.reqRealTimeBars(21, stock('AAPL'), 5, 'TRADES', true);
    await gw.waitForReceived('REQ_REAL_TIME_BARS');
    const delivered = gw.pushRealTimeBar('AAPL', {
      time: 1_767_364_200,
      open: 190,
      high: 190.5,
      low: 189.9,
      close: 190.2,
      volume: 1200,
      wap: 190.1,
      count: 42,
    });
    expect(delivered).toBe(1);
    await until('bar', () => probe.bars.length === 1);
    expect(probe.bars[0]).toEqual({ reqId: 21, time: 1_767_364_200, close: 190.2, volume: 1200, count: 42 });

    gw.setHistoricalBars('AAPL', [
      {
        date: '20260102 09:30:00 US/Eastern',
        open: 1,
        high: 2,
        low: 0.5,
        close: 1.5,
        volume: 100,
        wap: 1.2,
        count: 10,
      },
      {
        date: '20260102 09:31:00 US/Eastern',
        open: 1.5,
        high: 2.5,
        low: 1,
        close: 2,
        volume: 200,
        wap: 1.8,
        count: 20,
      },
    ]);
    probe.api.reqHistoricalData(
      31,
      stock('AAPL'),
      '',
      '1 D',
      BarSizeSetting.MINUTES_ONE,
      WhatToShow.TRADES,
      1,
      1,
      false,
    );
    await until('history end', () => probe.history.find((h) => h.date.startsWith('finished')));
    expect(probe.history.map((h) => [h.reqId, h.date, h.close, h.volume, h.count])).toEqual([
      [31, '20260102 09:30:00 US/Eastern', 1.5, 100, 10],
      [31, '20260102 09:31:00 US/Eastern', 2, 200, 20],
      [31, 'finished-20260102 09:30:00 US/Eastern-20260102 09:31:00 US/Eastern', -1, -1, -1],
    ]);

    // A symbol without scripted bars gets IB's "no data" error on the request id.
    probe.api.reqHistoricalData(
      32,
      stock('MSFT'),
      '',
      '1 D',
      BarSizeSetting.MINUTES_ONE,
      WhatToShow.TRADES,
      1,
      1,
      false,
    );
    await until('162', () => probe.errorsOf(32).find((e) => e.code === 162));
  });

  it('answers reqPositions and reqAccountSummary', async () => {
    const gw = await startGateway({ prices: { AAPL: 200 } });
    const probe = await connectClient(gw, 1);
    probe.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 10, 'pos'));
    await until('fill', () => probe.statusesOf(1).find((s) => s.status === 'Filled'));

    probe.api.reqPositions();
    await until('positionEnd', () => probe.positionEnds === 1);
    expect(probe.positions).toEqual([{ account: 'DU1234567', symbol: 'AAPL', pos: 10, avgCost: 200 }]);
    // The positions subscription stays open: a later fill is pushed.
    probe.api.placeOrder(2, stock('AAPL'), market(OrderAction.BUY, 10, 'pos2'));
    await until('pushed position', () => probe.positions.find((p) => p.pos === 20));

    probe.api.reqAccountSummary(41, 'All', 'NetLiquidation,TotalCashValue,BuyingPower');
    await until('summary end', () => probe.summaryEnds.includes(41));
    expect(probe.summary).toEqual([
      { reqId: 41, account: 'DU1234567', tag: 'NetLiquidation', value: '100000.00' },
      { reqId: 41, account: 'DU1234567', tag: 'TotalCashValue', value: '100000.00' },
      { reqId: 41, account: 'DU1234567', tag: 'BuyingPower', value: '400000.00' },
    ]);
  });
});

describe('fake IB Gateway: IBApiNext and wire checks', () => {
  it('serves IBApiNext: ids, order placement, open orders and execution details', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 }, nextValidId: 100 });
    const next = new IBApiNext({ host: '127.0.0.1', port: gw.port, logger: silentLogger });
    const codes: number[] = [];
    const subscription = next.error.subscribe((e) => codes.push(e.code));
    extraCleanups.push(() => {
      subscription.unsubscribe();
      next.disconnect();
    });
    next.connect(9);

    expect(await next.getNextValidOrderId()).toBe(100);
    const filledId = await next.placeNewOrder(stock('AAPL'), market(OrderAction.BUY, 2, 'next-mkt'));
    expect(filledId).toBe(100);
    await gw.waitFor(() => gw.order(100, 9)?.status === 'Filled', WAIT_MS, 'order 100 filled');

    const restingId = await next.placeNewOrder(stock('AAPL'), limit(OrderAction.BUY, 1, 150, 'next-lmt'));
    expect(restingId).toBe(101);
    await gw.waitFor(() => gw.order(101, 9)?.status === 'Submitted', WAIT_MS, 'order 101 working');

    const open = await next.getAllOpenOrders();
    expect(open.map((o) => [o.orderId, o.order.orderRef, o.orderState.status])).toEqual([
      [101, 'next-lmt', 'Submitted'],
    ]);

    const details = await next.getExecutionDetails({});
    expect(details.map((d) => [d.execution.orderId, d.execution.shares, d.execution.side])).toEqual([[100, 2, 'BOT']]);
    expect(codes.filter((c) => c === 505)).toEqual([]);
    expect(gw.receivedOfType('START_API')[0]?.fields[2]).toBe('9');
    expect(gw.receivedOfType('PLACE_ORDER').every((m) => m.clientId === 9)).toBe(true);
  });

  it('emits the exact field counts the 1.6.10 decoder expects', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const probe = await connectClient(gw, 1);
    probe.api.placeOrder(1, stock('AAPL'), market(OrderAction.BUY, 1, 'count'));
    await until('commission', () => probe.commissions.length === 1);

    const count = (type: string): number | undefined => gw.sentOfType(type)[0]?.fields.length;
    // Counts include the message id.
    expect(count('OPEN_ORDER')).toBe(1 + 132);
    expect(count('ORDER_STATUS')).toBe(1 + 11);
    expect(count('EXECUTION_DATA')).toBe(1 + 31);
    expect(count('COMMISSION_REPORT')).toBe(1 + 7);
    // 118 fields for a plain stock order, id included.
    expect(gw.receivedOfType('PLACE_ORDER')[0]?.fields).toHaveLength(118);
    expect(gw.sentOfType('SERVER_VERSION')[0]?.fields).toEqual(['193', '20260101 12:00:00 EST']);
  });

  it('the 505 detector works: a message with an extra field is reported by the client', async () => {
    const gw = await startGateway();
    const probe = await connectClient(gw, 1);
    gw.sendRaw(1, [GatewayMsg.ORDER_STATUS, 1, 'Submitted', 0, 1, 0, 1, 0, 0, 1, '', 0, 'extra']);
    gw.sendRaw(1, [GatewayMsg.TICK_SIZE, 1, 1, 8, 5, UNSET_DOUBLE]);
    await until('two 505s', () => probe.decodeErrors.length === 2);
    expect(probe.decodeErrors[0]?.message).toMatch(/unprocessed data left on queue/);
    probe.errors.length = 0; // expected here; the afterEach check stays meaningful elsewhere
  });
});

const silentLogger = {
  debug: (): void => undefined,
  info: (): void => undefined,
  warn: (): void => undefined,
  error: (): void => undefined,
};
