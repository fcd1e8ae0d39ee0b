/**
 * Runs reconciliation on every broker (re)connect: snapshot since the last execution seen →
 * reconcile() → corrections applied through the order manager. Unknown open orders are adopted
 * as EXTERNAL; every correction is an alert and an audit entry, because each is a mismatch
 * between what Kestrel believed and what the broker did.
 */
import type { AlertLevel } from '../../shared/domain';
import type { Clock } from '../clock';
import type { Logger } from '../observability/logger';
import type { OrderManager } from './orderManager';
import { isTerminal } from './orderState';
import { reconcile, type Correction, type LocalOrder } from './reconcile';
import type { Broker, BrokerExecution, OrderMode } from './types';

/** Closed orders this recent are still matched: a fill may arrive after a cancel. */
const RECENT_CLOSED_MS = 24 * 3_600_000;

export interface ReconcileRunnerDeps {
  clock: Clock;
  oms: OrderManager;
  broker: Broker;
  mode: OrderMode;
  alert: (level: AlertLevel, title: string, message: string) => void;
  audit: (action: string, subject: string | null, reason: string, after?: unknown) => void;
  log?: Logger;
  /** After a successful run (the engine re-sends cancels while HALTED). */
  onReconciled?: (corrections: Correction[]) => void;
}

export interface ReconcileRun {
  at: number;
  corrections: Correction[];
  error: string | null;
}

export class ReconcileRunner {
  private running: Promise<void> | null = null;
  private again = false;
  /** Completed runs, newest last (kept short): tests and diagnostics. */
  readonly runs: ReconcileRun[] = [];

  constructor(private readonly deps: ReconcileRunnerDeps) {}

  /** Starts a run; a request while one runs queues exactly one more. */
  trigger(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.runOnce();
      } while (this.again);
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async runOnce(): Promise<void> {
    const { clock, oms, broker, mode } = this.deps;
    const asOf = clock.now();
    const fills = oms.fills().filter((f) => f.mode === mode);
    const sinceTs = fills.length > 0 ? Math.max(...fills.map((f) => f.ts)) : null;
    let corrections: Correction[];
    try {
      const snapshot = await broker.snapshot(sinceTs);
      const orders: LocalOrder[] = oms
        .list()
        .filter((o) => o.request.mode === mode && o.status !== 'DENIED')
        .filter((o) => !isTerminal(o.status) || o.updatedAt >= asOf - RECENT_CLOSED_MS)
        .map((o) => ({
          clientOrderId: o.clientOrderId,
          brokerOrderId: o.brokerOrderId,
          symbol: o.request.symbol,
          side: o.request.side,
          quantity: o.request.quantity,
          filled: o.filledQty,
          status: o.status,
          submittedAt: o.createdAt,
        }));
      corrections = reconcile({
        orders,
        positions: oms.positions.list(mode).map((p) => ({ symbol: p.symbol, quantity: p.quantity })),
        knownExecIds: new Set(oms.fills().map((f) => f.execId)),
        snapshot,
        asOf,
      });
    } catch (err) {
      const message = (err as Error).message;
      this.deps.log?.warn({ err }, 'reconciliation failed');
      this.deps.alert('warning', 'Reconciliation failed', `${broker.name}: ${message}; retried on the next reconnect`);
      this.remember({ at: asOf, corrections: [], error: message });
      return;
    }
    this.apply(corrections);
    this.remember({ at: asOf, corrections, error: null });
    this.deps.onReconciled?.(corrections);
  }

  private apply(corrections: Correction[]): void {
    const { oms, mode } = this.deps;
    const now = this.deps.clock.now();
    const external: BrokerExecution[] = [];
    for (const c of corrections) {
      switch (c.kind) {
        case 'applyFill': {
          const e = c.execution;
          oms.applyReport(
            {
              type: 'fill',
              clientOrderId: c.clientOrderId,
              execId: e.execId,
              quantity: e.quantity,
              price: e.price,
              ...(e.commission !== undefined ? { commission: e.commission } : {}),
              ts: e.ts,
            },
            mode,
          );
          this.report(
            'warning',
            'Missed fill recovered',
            c.clientOrderId,
            c,
            `${e.side} ${e.quantity} ${e.symbol} @ ${e.price} (${e.execId})`,
          );
          break;
        }
        case 'externalFill':
          external.push(c.execution);
          this.report('warning', 'External fill', c.execution.symbol, c, c.reason);
          break;
        case 'markAccepted':
          oms.applyReport(
            { type: 'accepted', clientOrderId: c.clientOrderId, brokerOrderId: c.brokerOrderId, ts: now },
            mode,
          );
          this.report('info', 'Order state corrected', c.clientOrderId, c, c.reason);
          break;
        case 'markCanceled':
          oms.applyReport({ type: 'canceled', clientOrderId: c.clientOrderId, reason: c.reason, ts: now }, mode);
          this.report('warning', 'Order state corrected', c.clientOrderId, c, c.reason);
          break;
        case 'markRejected':
          oms.applyReport({ type: 'rejected', clientOrderId: c.clientOrderId, reason: c.reason, ts: now }, mode);
          this.report('warning', 'Order state corrected', c.clientOrderId, c, c.reason);
          break;
        case 'markFilled':
          this.report('warning', 'Order state mismatch', c.clientOrderId, c, c.reason);
          break;
        case 'adoptExternal': {
          const o = c.order;
          const adopted = oms.adopt({
            clientOrderId: o.clientOrderId ?? `EXT-${o.brokerOrderId}`,
            symbol: o.symbol,
            side: o.side,
            quantity: o.quantity,
            type: o.type,
            ...(o.limitPrice !== undefined ? { limitPrice: o.limitPrice } : {}),
            mode,
            brokerOrderId: o.brokerOrderId,
          });
          this.report('warning', 'External order adopted', adopted.clientOrderId, c, c.reason);
          // Its executions came in as external fills above: they belong to it now.
          for (const e of external.filter((x) => x.brokerOrderId === o.brokerOrderId)) {
            oms.applyReport(
              {
                type: 'fill',
                clientOrderId: adopted.clientOrderId,
                execId: e.execId,
                quantity: e.quantity,
                price: e.price,
                ...(e.commission !== undefined ? { commission: e.commission } : {}),
                ts: e.ts,
              },
              mode,
            );
          }
          break;
        }
        case 'fillMismatch':
          this.report('critical', 'Fill mismatch', c.clientOrderId, c, c.reason);
          break;
        case 'positionMismatch':
          this.report('critical', `Position mismatch ${c.symbol}`, c.symbol, c, c.reason);
          break;
      }
    }
  }

  private report(level: AlertLevel, title: string, subject: string, c: Correction, detail: string): void {
    this.deps.alert(level, title, `${subject}: ${detail}`);
    this.deps.audit(`reconcile.${c.kind}`, subject, detail, c);
  }

  private remember(run: ReconcileRun): void {
    this.runs.push(run);
    if (this.runs.length > 20) this.runs.shift();
  }
}
