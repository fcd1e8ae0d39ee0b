/**
 * The live broker when no IB Gateway is configured: every live order is denied with the reason
 * (the order manager never calls submit on a broker that does not allow trading).
 */
import type { Broker, BrokerSnapshot, BrokerStatus, SubmitResult } from './types';

export const NO_GATEWAY_REASON =
  'no IB Gateway is configured: start with --ib-port (or KESTREL_IB_PORT) or set execution.liveBroker to "ibkr"';

export class UnconfiguredBroker implements Broker {
  readonly name = 'ibkr' as const;

  status(): BrokerStatus {
    return {
      name: 'ibkr',
      connected: false,
      accounts: [],
      paper: false,
      tradingAllowed: false,
      reason: NO_GATEWAY_REASON,
    };
  }

  submit(): SubmitResult {
    return { ok: false, reason: NO_GATEWAY_REASON };
  }

  cancel(clientOrderId: string): SubmitResult {
    return { ok: false, reason: `${clientOrderId}: ${NO_GATEWAY_REASON}` };
  }

  /** Nothing can be working at a broker that does not exist. */
  cancelAll(): Promise<void> {
    return Promise.resolve();
  }

  snapshot(): Promise<BrokerSnapshot> {
    return Promise.resolve({ openOrders: [], executions: [], positions: [] });
  }

  onReport(): () => void {
    return () => {};
  }

  onReady(): () => void {
    return () => {};
  }
}
