// The IBKR broker adapter against the protocol-level fake IB Gateway over real sockets: order
// lifecycle reports, rejections, cancels, repeats of IB messages, and reqGlobalCancel on the wire.
import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../helpers/wait';
import { CLIENT_ID, cleanup, connectBroker, order, reportsFor, settle, startGateway, typesFor } from './harness';

afterEach(async () => {
  expect(await cleanup()).toEqual([]);
});

describe('IBKR broker: orders', () => {
  it('reports submitted, accepted, partial fills with exec ids and their commissions', async () => {
    const gw = await startGateway({ prices: { AAPL: 190.5 } });
    const rig = await connectBroker(gw);
    gw.fillNextOrderInSlices([30, 30, 40]);
    const o = order({ quantity: 100 });

    expect(rig.broker.submit(o)).toEqual({ ok: true });
    await until('3 commissions', () => rig.reports.filter((r) => r.type === 'commission').length === 3);

    expect(typesFor(rig, o.clientOrderId)).toEqual(['submitted', 'accepted', 'fill', 'fill', 'fill']);
    const fills = reportsFor(rig, o.clientOrderId).filter((r) => r.type === 'fill');
    expect(fills.map((f) => (f.type === 'fill' ? [f.quantity, f.price] : null))).toEqual([
      [30, 190.5],
      [30, 190.5],
      [40, 190.5],
    ]);
    const execIds = fills.map((f) => (f.type === 'fill' ? f.execId : ''));
    expect(new Set(execIds).size).toBe(3);
    const commissions = rig.reports.filter((r) => r.type === 'commission');
    expect(commissions.map((c) => (c.type === 'commission' ? [c.execId, c.commission, c.currency] : null))).toEqual(
      execIds.map((id) => [id, 1, 'USD']),
    );
    const ibId = rig.broker.ibOrderIdOf(o.clientOrderId);
    expect(reportsFor(rig, o.clientOrderId)[1]).toMatchObject({ type: 'accepted', brokerOrderId: String(ibId) });

    // On the wire: one PLACE_ORDER, transmitted, orderRef = clientOrderId, routed to the paper account.
    expect(gw.placedOrders(CLIENT_ID)).toHaveLength(1);
    expect(gw.placedOrders(CLIENT_ID)[0]).toMatchObject({
      orderId: ibId,
      action: 'BUY',
      totalQty: 100,
      orderType: 'MKT',
      orderRef: o.clientOrderId,
      transmit: true,
      account: 'DU1234567',
    });
    expect(gw.order(ibId as number, CLIENT_ID)?.status).toBe('Filled');
  });

  it('sends a limit order with its price and time in force', async () => {
    const gw = await startGateway({ prices: { MSFT: 400 } });
    const rig = await connectBroker(gw);
    const o = order({ symbol: 'MSFT', side: 'SELL', quantity: 5, type: 'LMT', limitPrice: 420.25, tif: 'GTC' });
    expect(rig.broker.submit(o)).toEqual({ ok: true });
    await until('accepted', () => typesFor(rig, o.clientOrderId).includes('accepted'));
    expect(gw.placedOrders(CLIENT_ID)[0]).toMatchObject({
      action: 'SELL',
      totalQty: 5,
      orderType: 'LMT',
      lmtPrice: 420.25,
      tif: 'GTC',
      transmit: true,
    });
  });

  it('turns error 201 into one rejected report, even when IB follows it with a status', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    gw.rejectNextOrder({ message: 'Order rejected - reason:Insufficient buying power', thenStatus: 'Inactive' });
    const bad = order({ quantity: 100_000 });
    gw.rejectNextOrder({ message: 'Order rejected - reason:No trading permissions', thenStatus: 'Cancelled' });
    const bad2 = order();

    expect(rig.broker.submit(bad)).toEqual({ ok: true });
    expect(rig.broker.submit(bad2)).toEqual({ ok: true });
    await until('rejections', () => rig.reports.filter((r) => r.type === 'rejected').length === 2);
    await settle();

    expect(typesFor(rig, bad.clientOrderId)).toEqual(['submitted', 'rejected']);
    expect(reportsFor(rig, bad.clientOrderId)[1]).toMatchObject({
      type: 'rejected',
      code: 201,
      reason: 'Order rejected - reason:Insufficient buying power',
    });
    expect(typesFor(rig, bad2.clientOrderId)).toEqual(['submitted', 'rejected']);
    expect(rig.broker.cancel(bad.clientOrderId)).toEqual({
      ok: false,
      reason: `order ${bad.clientOrderId} is already REJECTED`,
    });
  });

  it('cancels a working order: one cancelPending, one canceled, despite 202 plus the Cancelled status', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    const o = order({ type: 'LMT', limitPrice: 150 });
    rig.broker.submit(o);
    await until('accepted', () => typesFor(rig, o.clientOrderId).includes('accepted'));

    expect(rig.broker.cancel(o.clientOrderId)).toEqual({ ok: true });
    await until('canceled', () => typesFor(rig, o.clientOrderId).includes('canceled'));
    await settle();

    expect(typesFor(rig, o.clientOrderId)).toEqual(['submitted', 'accepted', 'cancelPending', 'canceled']);
    expect(reportsFor(rig, o.clientOrderId)[3]).toMatchObject({ reason: 'Order Canceled - reason:' });
    expect(gw.receivedOfType('CANCEL_ORDER').map((m) => m.fields[1])).toEqual([
      String(rig.broker.ibOrderIdOf(o.clientOrderId)),
    ]);
    // Cancelling again is refused locally: nothing more on the wire.
    expect(rig.broker.cancel(o.clientOrderId)).toEqual({
      ok: false,
      reason: `order ${o.clientOrderId} is already CANCELED`,
    });
    expect(rig.broker.cancel('nope')).toMatchObject({
      ok: false,
      reason: expect.stringContaining('knows no order nope'),
    });
    expect(gw.receivedOfType('CANCEL_ORDER')).toHaveLength(1);
  });

  it('reports a refused cancel (10148) as cancelRejected, and the order can be cancelled again', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    const o = order({ type: 'LMT', limitPrice: 150 });
    rig.broker.submit(o);
    await until('accepted', () => typesFor(rig, o.clientOrderId).includes('accepted'));
    const ibId = rig.broker.ibOrderIdOf(o.clientOrderId) as number;
    gw.setAckDelay(300);
    expect(rig.broker.cancel(o.clientOrderId)).toEqual({ ok: true });
    // IB refuses the cancel before the fake gets to it (as when the order was done at the exchange).
    gw.sendRaw(CLIENT_ID, [4, 2, ibId, 10148, `OrderId ${ibId} that needs to be cancelled cannot be cancelled.`, '']);
    await until('cancelRejected', () => typesFor(rig, o.clientOrderId).includes('cancelRejected'));
    await until('canceled', () => typesFor(rig, o.clientOrderId).includes('canceled'));
    expect(typesFor(rig, o.clientOrderId)).toEqual([
      'submitted',
      'accepted',
      'cancelPending',
      'cancelRejected',
      'canceled',
    ]);
    expect(reportsFor(rig, o.clientOrderId)[3]).toMatchObject({
      reason: expect.stringContaining('cannot be cancelled'),
    });
  });

  it('reports repeated openOrder, orderStatus, execDetails and commission messages once', async () => {
    const gw = await startGateway({ prices: { SPY: 500 } });
    const rig = await connectBroker(gw);
    gw.setRepeat({ openOrder: 3, orderStatus: 3, execDetails: 3, commissionReport: 2 });
    gw.fillNextOrderInSlices([40, 60]);
    const o = order({ symbol: 'SPY' });
    rig.broker.submit(o);
    await until('2 commissions', () => rig.reports.filter((r) => r.type === 'commission').length === 2);
    await settle(200);

    // The fake really did repeat them.
    expect(gw.sentOfType('EXECUTION_DATA', CLIENT_ID)).toHaveLength(6);
    expect(gw.sentOfType('ORDER_STATUS', CLIENT_ID).length).toBeGreaterThanOrEqual(12);
    expect(typesFor(rig, o.clientOrderId)).toEqual(['submitted', 'accepted', 'fill', 'fill']);
    expect(rig.reports.filter((r) => r.type === 'commission')).toHaveLength(2);
  });

  it('denies invalid, shadow and duplicate orders without touching the wire', async () => {
    const gw = await startGateway();
    const rig = await connectBroker(gw);
    expect(rig.broker.submit(order({ quantity: -5 }))).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/quantity -5/),
    });
    expect(rig.broker.submit(order({ mode: 'shadow' }))).toMatchObject({
      ok: false,
      reason: 'shadow orders go to the simulated broker, never to IBKR',
    });
    const o = order({ type: 'LMT', limitPrice: 1 });
    expect(rig.broker.submit(o)).toEqual({ ok: true });
    expect(rig.broker.submit(o)).toEqual({
      ok: false,
      reason: `clientOrderId ${o.clientOrderId} was already sent to IBKR`,
    });
    await settle();
    expect(gw.placedOrders(CLIENT_ID)).toHaveLength(1);
  });

  it('cancelAll resolves once reqGlobalCancel is on the wire, and every working order ends canceled', async () => {
    const gw = await startGateway({ prices: { AAPL: 190 } });
    const rig = await connectBroker(gw);
    const a = order({ type: 'LMT', limitPrice: 150 });
    const b = order({ side: 'SELL', type: 'LMT', limitPrice: 250 });
    rig.broker.submit(a);
    rig.broker.submit(b);
    await until('both accepted', () => [a, b].every((o) => typesFor(rig, o.clientOrderId).includes('accepted')));

    await rig.broker.cancelAll();
    const wire = await gw.waitForReceived('REQ_GLOBAL_CANCEL');
    expect(wire.fields).toEqual(['58', '', '2147483647']);
    await until('both canceled', () => [a, b].every((o) => typesFor(rig, o.clientOrderId).includes('canceled')));
    expect(gw.workingOrders(CLIENT_ID)).toEqual([]);
  });
});
