import { describe, expect, it } from 'vitest';
import { watchExecutionAlerts } from '../../../src/main/alerts/executionAlerts';
import { EventBus } from '../../../src/main/bus';
import type { BrokerStatus, Order } from '../../../src/shared/domain';

const order = (over: Partial<Order>): Order =>
  ({
    clientOrderId: 'K-1',
    mode: 'live',
    symbol: 'NVDA',
    side: 'BUY',
    quantity: 10,
    type: 'MKT',
    status: 'SUBMITTED',
    reason: null,
    ...over,
  }) as Order;
const broker = (connected: boolean): BrokerStatus => ({
  name: 'ibkr',
  connected,
  accounts: ['DU1'],
  paper: true,
  tradingAllowed: connected,
  reason: connected ? null : 'socket closed',
});

describe('watchExecutionAlerts', () => {
  it('raises one orderRejected alert per rejected order and one per broker disconnect', () => {
    const bus = new EventBus();
    const raised: [string, string, string, unknown][] = [];
    watchExecutionAlerts(bus, (level, title, message, opts) => raised.push([level, title, message, opts]));
    bus.emit('order', { orders: [order({})], fills: [] });
    bus.emit('order', { orders: [order({ status: 'REJECTED', reason: 'margin' })], fills: [] });
    bus.emit('order', { orders: [order({ status: 'REJECTED', reason: 'margin' })], fills: [] }); // repeated state
    bus.emit('order', { orders: [order({ clientOrderId: 'K-2', mode: 'shadow', status: 'REJECTED' })], fills: [] });
    bus.emit('broker', broker(true));
    bus.emit('broker', broker(true));
    bus.emit('broker', broker(false));
    bus.emit('broker', broker(true));
    expect(raised).toEqual([
      [
        'critical',
        'Order rejected NVDA',
        'BUY 10 NVDA MKT (K-1, live): margin',
        { kind: 'orderRejected', symbol: 'NVDA' },
      ],
      [
        'warning',
        'Order rejected NVDA',
        'BUY 10 NVDA MKT (K-2, shadow): no reason given',
        { kind: 'orderRejected', symbol: 'NVDA' },
      ],
      [
        'critical',
        'Broker disconnected',
        'ibkr: socket closed; live orders are refused',
        { kind: 'brokerDisconnected' },
      ],
      ['info', 'Broker reconnected', 'ibkr is connected again', { kind: 'brokerDisconnected' }],
    ]);
  });
});
