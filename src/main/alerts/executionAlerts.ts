/**
 * Alerts derived from the execution events on the bus: a broker rejecting an order, and the live
 * broker's connection dropping. Watching the events keeps the execution code free of alert routing.
 */
import type { EventBus } from '../bus';
import type { RaiseOptions } from '../observability/alerts';
import type { AlertLevel } from '../../shared/domain';

type Raise = (level: AlertLevel, title: string, message: string, opts: RaiseOptions) => unknown;

/** Order ids already alerted: the `order` event repeats an order's latest state. */
const REMEMBERED = 10_000;

export function watchExecutionAlerts(bus: EventBus, raise: Raise): () => void {
  const rejected = new Set<string>();
  let connected: boolean | null = null;
  const offOrder = bus.on('order', ({ orders }) => {
    for (const o of orders) {
      if (o.status !== 'REJECTED' || rejected.has(o.clientOrderId)) continue;
      rejected.add(o.clientOrderId);
      if (rejected.size > REMEMBERED) rejected.delete(rejected.values().next().value!);
      raise(
        o.mode === 'live' ? 'critical' : 'warning',
        `Order rejected ${o.symbol}`,
        `${o.side} ${o.quantity} ${o.symbol} ${o.type} (${o.clientOrderId}, ${o.mode}): ${o.reason ?? 'no reason given'}`,
        { kind: 'orderRejected', symbol: o.symbol },
      );
    }
  });
  const offBroker = bus.on('broker', (b) => {
    const was = connected;
    connected = b.connected;
    if (b.name === 'none' || was === null || was === b.connected) return;
    if (!b.connected) {
      raise('critical', 'Broker disconnected', `${b.name}: ${b.reason ?? 'connection lost'}; live orders are refused`, {
        kind: 'brokerDisconnected',
      });
    } else {
      raise('info', 'Broker reconnected', `${b.name} is connected again`, { kind: 'brokerDisconnected' });
    }
  });
  return () => {
    offOrder();
    offBroker();
  };
}
