// Reconciliation snapshots from the fake IB Gateway over real sockets: open orders of every client,
// executions since a time with commissions, positions, and clear errors when IB does not answer.
import { afterEach, describe, expect, it } from 'vitest';
import { EventName, IBApi, OrderAction, OrderType, SecType } from '@stoqey/ib';
import { reconcile } from '../../../src/main/execution/reconcile';
import { IbSnapshotError } from '../../../src/main/ibkr/snapshot';
import { until } from '../../helpers/wait';
import { CLIENT_ID, cleanup, connectBroker, order, settle, startGateway, typesFor } from './harness';

const others: IBApi[] = [];
afterEach(async () => {
  for (const api of others.splice(0)) api.disconnect();
  expect(await cleanup()).toEqual([]);
});

describe('IBKR broker: snapshot and reconciliation', () => {
  it('a restart with open orders and positions at the broker ends reconciled, external orders adopted', async () => {
    const gw = await startGateway({ prices: { AAPL: 190, MSFT: 400 } });
    gw.setPosition('DU1234567', 'MSFT', 20, 380);
    const before = await connectBroker(gw);
    const resting = order({ type: 'LMT', limitPrice: 150, quantity: 30 });
    const filled = order({ quantity: 10 });
    before.broker.submit(resting);
    before.broker.submit(filled);
    await until('fill', () => typesFor(before, filled.clientOrderId).includes('fill'));
    await until('resting accepted', () => typesFor(before, resting.clientOrderId).includes('accepted'));
    const restingId = String(before.broker.ibOrderIdOf(resting.clientOrderId));
    const filledExec = before.reports.find((r) => r.type === 'fill');

    // Someone places an order from TWS (another client, no orderRef) while Kestrel is down.
    before.close();
    await until('client gone', () => gw.connectedClientIds().length === 0);
    const tws = new IBApi({ host: '127.0.0.1', port: gw.port });
    others.push(tws);
    let twsReady = false;
    tws.on(EventName.nextValidId, () => (twsReady = true));
    tws.connect(0);
    await until('tws connected', () => twsReady);
    tws.placeOrder(
      1,
      { symbol: 'MSFT', secType: SecType.STK, exchange: 'SMART', currency: 'USD' },
      {
        action: OrderAction.SELL,
        totalQuantity: 5,
        orderType: OrderType.LMT,
        lmtPrice: 450,
        transmit: true,
        tif: 'DAY',
      },
    );
    await until('tws order working', () => gw.workingOrders(0).length === 1);

    // Kestrel restarts: a fresh adapter reconciles what it persisted against the broker.
    const after = await connectBroker(gw);
    const snapshot = await after.broker.snapshot(null);
    expect(snapshot.openOrders).toHaveLength(2);
    expect(snapshot.openOrders.find((o) => o.clientOrderId === resting.clientOrderId)).toMatchObject({
      brokerOrderId: restingId,
      symbol: 'AAPL',
      side: 'BUY',
      quantity: 30,
      filled: 0,
      type: 'LMT',
      limitPrice: 150,
      status: 'Submitted',
      account: 'DU1234567',
    });
    const external = snapshot.openOrders.find((o) => o.clientOrderId === null);
    expect(external).toMatchObject({ symbol: 'MSFT', side: 'SELL', quantity: 5, limitPrice: 450 });
    expect(external?.brokerOrderId).toMatch(/^perm:\d+$/);
    expect(snapshot.executions.map((e) => e.clientOrderId)).toEqual([filled.clientOrderId]);
    expect(snapshot.positions).toEqual(
      expect.arrayContaining([
        { account: 'DU1234567', symbol: 'MSFT', quantity: 20, avgCost: 380 },
        { account: 'DU1234567', symbol: 'AAPL', quantity: 10, avgCost: 190 },
      ]),
    );

    const corrections = reconcile({
      orders: [
        {
          clientOrderId: resting.clientOrderId,
          brokerOrderId: restingId,
          symbol: 'AAPL',
          side: 'BUY',
          quantity: 30,
          filled: 0,
          status: 'ACCEPTED',
        },
        {
          clientOrderId: filled.clientOrderId,
          brokerOrderId: null,
          symbol: 'AAPL',
          side: 'BUY',
          quantity: 10,
          filled: 10,
          status: 'FILLED',
        },
      ],
      positions: [
        { symbol: 'AAPL', quantity: 10 },
        { symbol: 'MSFT', quantity: 20 },
      ],
      knownExecIds: new Set(filledExec?.type === 'fill' ? [filledExec.execId] : []),
      snapshot,
      asOf: Date.now(),
    });
    expect(corrections).toEqual([
      { kind: 'adoptExternal', order: external, reason: 'open at IB (SELL 5 MSFT) and not placed by Kestrel' },
    ]);

    // The adapter learned its own order from the snapshot: a cancel now works, and is reported.
    expect(after.broker.cancel(resting.clientOrderId)).toEqual({ ok: true });
    await until('canceled', () => typesFor(after, resting.clientOrderId).includes('canceled'));
    expect(typesFor(after, resting.clientOrderId)).toEqual(['cancelPending', 'canceled']);
  });

  it('asks IB for executions since the given time only, and stops the position stream', async () => {
    let now = Date.UTC(2026, 0, 5, 15, 0, 0);
    const gw = await startGateway({ prices: { AAPL: 190 }, now: () => now });
    const rig = await connectBroker(gw);
    const early = order({ quantity: 1 });
    rig.broker.submit(early);
    await until('early fill', () => typesFor(rig, early.clientOrderId).includes('fill'));
    now += 60_000;
    const late = order({ quantity: 2 });
    rig.broker.submit(late);
    await until('late fill', () => typesFor(rig, late.clientOrderId).includes('fill'));

    const snapshot = await rig.broker.snapshot(now - 1000);
    expect(snapshot.executions.map((e) => [e.clientOrderId, e.ts])).toEqual([[late.clientOrderId, now]]);
    const req = gw.receivedOfType('REQ_EXECUTIONS').at(-1);
    expect(req?.fields[5]).toBe('20260105-15:00:59');
    await until('positions cancelled', () => gw.receivedOfType('CANCEL_POSITIONS').length === 1);
  });

  it('a snapshot exec is not reported again when IB repeats it live', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    gw.disconnectOnNextOrder({ outcome: 'filled' });
    const o = order({ quantity: 3 });
    const readies = rig.readies;
    rig.broker.submit(o);
    await until('reconnected', () => rig.readies > readies, 5000);
    const snapshot = await rig.broker.snapshot(null);
    const exec = snapshot.executions[0];
    expect(exec?.clientOrderId).toBe(o.clientOrderId);
    // IB replays the execution live after the reconnect.
    const ibExec = gw.executions()[0];
    expect(ibExec).toBeDefined();
    gw.sendRaw(CLIENT_ID, [
      11,
      -1,
      ibExec?.orderId,
      265598,
      'AAPL',
      'STK',
      '',
      0,
      '',
      '',
      'SMART',
      'USD',
      'AAPL',
      'NMS',
      ibExec?.execId,
      '20260105 10:00:00 US/Eastern',
      'DU1234567',
      'SMART',
      'BOT',
      3,
      190,
      ibExec?.permId,
      CLIENT_ID,
      0,
      3,
      190,
      o.clientOrderId,
      '',
      '',
      '',
      0,
      0,
    ]);
    await settle(200);
    expect(typesFor(rig, o.clientOrderId)).toEqual(['submitted']);
  });

  it('fails with a clear error when IB never ends an answer, and when the connection drops mid-snapshot', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw, { snapshotTimeoutMs: 300 });
    // A gateway that swallows reqPositions: the request never reaches the fake.
    const real = rig.conn.api.reqPositions.bind(rig.conn.api);
    rig.conn.api.reqPositions = () => rig.conn.api;
    const err = await rig.broker.snapshot(null).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(IbSnapshotError);
    expect((err as Error).message).toBe('IB snapshot: positions (reqPositions, no positionEnd) within 300 ms');

    // Still swallowing: the drop fails the snapshot at once, not at the timeout.
    const pending = rig.broker.snapshot(null);
    await settle(20);
    gw.disconnectClients();
    await expect(pending).rejects.toThrow(/IB snapshot: the IB connection dropped during the snapshot/);

    rig.conn.api.reqPositions = real;
    const readies = rig.readies;
    await until('reconnected', () => rig.readies > readies, 5000);
    await expect(rig.broker.snapshot(null)).resolves.toEqual({ openOrders: [], executions: [], positions: [] });
  });

  it('onReady fires on the first connect, after every reconnect, and once for a late subscriber', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw);
    expect(rig.readies).toBe(1);
    let late = 0;
    rig.broker.onReady(() => (late += 1));
    await until('late subscriber told', () => late === 1);

    gw.disconnectClients();
    await until('second ready', () => rig.readies === 2, 5000);
    await gw.restart();
    await until('third ready', () => rig.readies === 3, 5000);
    expect(late).toBe(3);
  });
});
