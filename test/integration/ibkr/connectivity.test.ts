// The IBKR broker's safety around the connection, against the fake IB Gateway over real sockets:
// paper-only, no orders while disconnected, drops mid-order, and order ids across gateway restarts.
import { afterEach, describe, expect, it } from 'vitest';
import { reconcile } from '../../../src/main/execution/reconcile';
import { IbNotConnectedError } from '../../../src/main/ibkr/connection';
import { until } from '../../helpers/wait';
import { CLIENT_ID, cleanup, connectBroker, order, settle, startGateway, typesFor } from './harness';

afterEach(async () => {
  expect(await cleanup()).toEqual([]);
});

describe('IBKR broker: paper only', () => {
  it('refuses to trade when a managed account is not a paper (DU) account, and sends nothing', async () => {
    const gw = await startGateway({ accounts: ['DU1234567', 'U7654321'] });
    const rig = await connectBroker(gw);

    const status = rig.broker.status();
    expect(status).toMatchObject({
      name: 'ibkr',
      connected: true,
      accounts: ['DU1234567', 'U7654321'],
      paper: false,
      tradingAllowed: false,
    });
    expect(status.reason).toContain('account U7654321 is not a paper account');
    const result = rig.broker.submit(order());
    expect(result).toEqual({ ok: false, reason: status.reason });
    await settle();
    expect(gw.receivedOfType('PLACE_ORDER')).toEqual([]);
  });

  it('allows trading on a paper account', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw);
    expect(rig.broker.status()).toEqual({
      name: 'ibkr',
      connected: true,
      accounts: ['DU1234567'],
      paper: true,
      tradingAllowed: true,
      reason: null,
    });
  });

  it('refuses to guess an account when the gateway manages several', async () => {
    const gw = await startGateway({ accounts: ['DU1', 'DU2'] });
    const rig = await connectBroker(gw);
    expect(rig.broker.submit(order())).toMatchObject({
      ok: false,
      reason: expect.stringContaining('manages 2 accounts'),
    });
    const routed = await connectBroker(await startGateway({ accounts: ['DU1', 'DU2'] }), { account: 'DU2' });
    expect(routed.broker.submit(order({ type: 'LMT', limitPrice: 1 }))).toEqual({ ok: true });
    await until('placed', () => routed.gw.placedOrders(CLIENT_ID)[0]);
    expect(routed.gw.placedOrders(CLIENT_ID)[0]?.account).toBe('DU2');
  });
});

describe('IBKR broker: disconnected', () => {
  it('denies orders, cancels, cancelAll and snapshots while disconnected; nothing reaches the gateway later', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw);
    const working = order({ type: 'LMT', limitPrice: 1 });
    rig.broker.submit(working);
    await until('accepted', () => typesFor(rig, working.clientOrderId).includes('accepted'));
    await gw.stop();
    await until('disconnected', () => !rig.conn.isConnected());

    const denied = rig.broker.submit(order());
    expect(denied.ok).toBe(false);
    expect(!denied.ok && denied.reason).toMatch(/^not connected: /);
    expect(rig.broker.status()).toMatchObject({ connected: false, tradingAllowed: false });
    expect(rig.broker.cancel(working.clientOrderId)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/^IB Gateway not connected/),
    });
    await expect(rig.broker.cancelAll()).rejects.toBeInstanceOf(IbNotConnectedError);
    await expect(rig.broker.snapshot(null)).rejects.toBeInstanceOf(IbNotConnectedError);

    gw.clearRecords();
    const readies = rig.readies;
    await gw.start();
    await until('ready again', () => rig.readies > readies, 5000);
    await settle(200);
    // The library queues requests made while disconnected; the broker made none.
    expect(gw.receivedOfType('PLACE_ORDER')).toEqual([]);
    expect(gw.receivedOfType('CANCEL_ORDER')).toEqual([]);
    expect(gw.receivedOfType('REQ_GLOBAL_CANCEL')).toEqual([]);
  });

  it('denies orders while IB reports its link down (1100, 2110) and allows them again after 1102', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw);
    gw.sendRaw(CLIENT_ID, [4, 2, -1, 2110, 'Connectivity between Trader Workstation and server is broken.', '']);
    await until('blocked', () => !rig.broker.status().tradingAllowed);
    expect(rig.broker.status().reason).toContain('(2110)');
    expect(rig.broker.submit(order()).ok).toBe(false);

    gw.sendRaw(CLIENT_ID, [4, 2, -1, 1102, 'Connectivity between IB and TWS has been restored - data maintained.', '']);
    await until('allowed', () => rig.broker.status().tradingAllowed);

    gw.sendRaw(CLIENT_ID, [4, 2, -1, 1100, 'Connectivity between IB and TWS has been lost.', '']);
    await until('lost', () => !rig.broker.status().connected);
    expect(rig.broker.submit(order()).ok).toBe(false);
    const readies = rig.readies;
    gw.sendRaw(CLIENT_ID, [4, 2, -1, 1101, 'Connectivity between IB and TWS has been restored - data lost.', '']);
    // Restored: the order manager is told to reconcile.
    await until('ready after 1101', () => rig.readies > readies);
    expect(rig.broker.status().tradingAllowed).toBe(true);
    await settle();
    expect(gw.receivedOfType('PLACE_ORDER')).toEqual([]);
  });

  it('recovers a fill made while the gateway was away through snapshot executions, with no duplicate order', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    const since = Date.now() - 1000;
    gw.disconnectOnNextOrder({ outcome: 'filled', when: 'receive' });
    const o = order({ quantity: 50 });
    const readies = rig.readies;

    expect(rig.broker.submit(o)).toEqual({ ok: true });
    await until('reconnected', () => rig.readies > readies, 5000);
    await settle(200);

    // IB filled it, but the fill report was lost with the socket.
    expect(typesFor(rig, o.clientOrderId)).toEqual(['submitted']);
    expect(gw.placedOrders(CLIENT_ID).map((p) => p.orderRef)).toEqual([o.clientOrderId]);

    const snapshot = await rig.broker.snapshot(since);
    expect(snapshot.executions).toHaveLength(1);
    expect(snapshot.executions[0]).toMatchObject({
      clientOrderId: o.clientOrderId,
      brokerOrderId: String(rig.broker.ibOrderIdOf(o.clientOrderId)),
      symbol: 'AAPL',
      side: 'BUY',
      quantity: 50,
      price: 190,
      commission: 1,
      account: 'DU1234567',
    });
    expect(snapshot.positions).toEqual([{ account: 'DU1234567', symbol: 'AAPL', quantity: 50, avgCost: 190 }]);
    expect(snapshot.openOrders).toEqual([]);

    const corrections = reconcile({
      orders: [
        {
          clientOrderId: o.clientOrderId,
          brokerOrderId: String(rig.broker.ibOrderIdOf(o.clientOrderId)),
          symbol: 'AAPL',
          side: 'BUY',
          quantity: 50,
          filled: 0,
          status: 'SUBMITTED',
          submittedAt: since,
        },
      ],
      positions: [],
      knownExecIds: new Set(),
      snapshot,
      asOf: Date.now(),
    });
    expect(corrections).toEqual([
      { kind: 'applyFill', clientOrderId: o.clientOrderId, execution: snapshot.executions[0] },
    ]);
    await settle();
    expect(gw.placedOrders(CLIENT_ID)).toHaveLength(1);
  });

  it('an order acknowledged just before the drop is found working after reconnect, and fills later are reported', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    gw.disconnectOnNextOrder({ outcome: 'working', when: 'receive' });
    const o = order({ type: 'LMT', limitPrice: 150, quantity: 20 });
    const readies = rig.readies;
    rig.broker.submit(o);
    await until('reconnected', () => rig.readies > readies, 5000);

    const snapshot = await rig.broker.snapshot(null);
    const ibId = String(rig.broker.ibOrderIdOf(o.clientOrderId));
    expect(snapshot.openOrders).toEqual([
      expect.objectContaining({ brokerOrderId: ibId, clientOrderId: o.clientOrderId, quantity: 20, filled: 0 }),
    ]);
    const corrections = reconcile({
      orders: [
        {
          clientOrderId: o.clientOrderId,
          brokerOrderId: null,
          symbol: 'AAPL',
          side: 'BUY',
          quantity: 20,
          filled: 0,
          status: 'SUBMITTED',
        },
      ],
      positions: [],
      knownExecIds: new Set(),
      snapshot,
      asOf: Date.now(),
    });
    expect(corrections).toEqual([
      {
        kind: 'markAccepted',
        clientOrderId: o.clientOrderId,
        brokerOrderId: ibId,
        reason: 'working at IB (Submitted)',
      },
    ]);

    // The order lives on at IB: a later fill reaches the order manager live.
    gw.fillOrder(Number(ibId), { clientId: CLIENT_ID, price: 149.5 });
    await until('fill', () => typesFor(rig, o.clientOrderId).includes('fill'));
    expect(gw.placedOrders(CLIENT_ID)).toHaveLength(1);
  });
});

describe('IBKR broker: order ids', () => {
  it('never reuses an order id after a gateway restart rolls nextValidId back', async () => {
    const gw = await startGateway({ nextValidId: 100 });
    const rig = await connectBroker(gw);
    const first = [order({ type: 'LMT', limitPrice: 1 }), order({ type: 'LMT', limitPrice: 1 })];
    for (const o of first) expect(rig.broker.submit(o)).toEqual({ ok: true });
    await until('placed', () => gw.placedOrderIds(CLIENT_ID).length === 2);

    const readies = rig.readies;
    await gw.restart({ nextValidId: 1 });
    await until('ready after restart', () => rig.readies > readies, 5000);
    const after = order({ type: 'LMT', limitPrice: 1 });
    expect(rig.broker.submit(after)).toEqual({ ok: true });
    await until('accepted', () => typesFor(rig, after.clientOrderId).includes('accepted'));

    const ids = gw.placedOrderIds(CLIENT_ID);
    expect(ids).toEqual([100, 101, 102]);
    expect(rig.errors.filter((e) => e.code === 103)).toEqual([]);
  });

  it('a fresh process starts above the last id the order manager persisted', async () => {
    const gw = await startGateway({ nextValidId: 50 });
    const first = await connectBroker(gw);
    first.broker.submit(order({ type: 'LMT', limitPrice: 1 }));
    first.broker.submit(order({ type: 'LMT', limitPrice: 1 }));
    await until('placed', () => gw.placedOrderIds(CLIENT_ID).length === 2);
    const lastUsed = Math.max(...gw.placedOrderIds(CLIENT_ID));
    first.close();
    await until('client gone', () => gw.connectedClientIds().length === 0);

    // The gateway restarts and forgets; Kestrel restarts too and knows only what it persisted.
    await gw.restart({ nextValidId: 1 });
    const second = await connectBroker(gw, { lastUsedOrderId: () => lastUsed });
    const o = order({ type: 'LMT', limitPrice: 1 });
    expect(second.broker.submit(o)).toEqual({ ok: true });
    await until('accepted', () => typesFor(second, o.clientOrderId).includes('accepted'));
    expect(gw.placedOrderIds(CLIENT_ID)).toEqual([50, 51, 52]);
    expect(second.errors.filter((e) => e.code === 103)).toEqual([]);
  });
});
