import type { Broker, BrokerReport, BrokerStatus, OrderRequest, SubmitResult } from '../../../src/main/execution/types';

/** A broker the test drives by hand: it records what it was asked and emits whatever reports the test says. */
export class ScriptedBroker implements Broker {
  readonly name = 'ibkr' as const;
  readonly submitted: OrderRequest[] = [];
  readonly cancels: string[] = [];
  cancelAllCalls = 0;
  tradingAllowed = true;
  submitResult: SubmitResult = { ok: true };
  private readonly listeners = new Set<(r: BrokerReport) => void>();

  status(): BrokerStatus {
    return {
      name: 'ibkr',
      connected: this.tradingAllowed,
      accounts: ['DU123'],
      paper: true,
      tradingAllowed: this.tradingAllowed,
      reason: this.tradingAllowed ? null : 'disconnected from IB Gateway',
    };
  }
  submit(order: OrderRequest): SubmitResult {
    this.submitted.push(order);
    return this.submitResult;
  }
  cancel(clientOrderId: string): SubmitResult {
    this.cancels.push(clientOrderId);
    return { ok: true };
  }
  cancelAll(): Promise<void> {
    this.cancelAllCalls++;
    return Promise.resolve();
  }
  snapshot() {
    return Promise.resolve({ openOrders: [], executions: [], positions: [] });
  }
  onReport(listener: (r: BrokerReport) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  onReady(): () => void {
    return () => {};
  }
  emit(report: BrokerReport): void {
    for (const l of this.listeners) l(report);
  }
}
