/**
 * Reconciliation, pure: local orders, positions and known execution ids against what the broker
 * reports after a (re)connect. The result is a list of corrections for the order manager to apply
 * in order: missed fills first (they may finish orders by themselves), then order states, then
 * adoptions of orders Kestrel did not place, then position mismatches to show and audit.
 */
import type { BrokerExecution, BrokerOpenOrder, BrokerSnapshot, OrderSide, OrderStatus } from './types';

export interface LocalOrder {
  clientOrderId: string;
  /** Null until the broker acknowledged it. */
  brokerOrderId: string | null;
  symbol: string;
  side: OrderSide;
  quantity: number;
  /** Shares filled according to the fills the order manager has applied. */
  filled: number;
  status: OrderStatus;
  /** Epoch ms it was sent; orders sent after the snapshot was requested are left alone. */
  submittedAt?: number;
}

export interface LocalPosition {
  symbol: string;
  /** Signed shares: negative is short. */
  quantity: number;
}

export interface ReconcileInput {
  /** Every local order that can still change: open ones, and recent closed ones (a fill may follow a cancel). */
  orders: LocalOrder[];
  positions: LocalPosition[];
  knownExecIds: ReadonlySet<string>;
  snapshot: BrokerSnapshot;
  /** Epoch ms the snapshot was requested. */
  asOf: number;
}

export type Correction =
  /** A fill the order manager never saw, for one of its orders. */
  | { kind: 'applyFill'; clientOrderId: string; execution: BrokerExecution }
  /** A fill for no local order: reported, and counted in the expected position. */
  | { kind: 'externalFill'; execution: BrokerExecution; reason: string }
  | { kind: 'markAccepted'; clientOrderId: string; brokerOrderId: string; reason: string }
  | { kind: 'markFilled'; clientOrderId: string; reason: string }
  | { kind: 'markCanceled'; clientOrderId: string; reason: string }
  | { kind: 'markRejected'; clientOrderId: string; reason: string }
  /** An open order at the broker that no local order matches: adopt it as EXTERNAL. */
  | { kind: 'adoptExternal'; order: BrokerOpenOrder; reason: string }
  /** The broker says more was filled than the executions explain: shown, never guessed. */
  | { kind: 'fillMismatch'; clientOrderId: string; localFilled: number; brokerFilled: number; reason: string }
  | { kind: 'positionMismatch'; symbol: string; local: number; broker: number; reason: string };

/** States in which the broker may still be working the order. */
const OPEN: ReadonlySet<OrderStatus> = new Set([
  'INITIALIZED',
  'SUBMITTED',
  'ACCEPTED',
  'PARTIALLY_FILLED',
  'PENDING_CANCEL',
]);

const EPSILON = 1e-9;

export function reconcile(input: ReconcileInput): Correction[] {
  const { orders, snapshot } = input;
  const byClientId = new Map(orders.map((o) => [o.clientOrderId, o]));
  const byBrokerId = new Map(orders.filter((o) => o.brokerOrderId).map((o) => [o.brokerOrderId as string, o]));
  const find = (clientOrderId: string | null, brokerOrderId: string): LocalOrder | undefined =>
    (clientOrderId ? byClientId.get(clientOrderId) : undefined) ?? byBrokerId.get(brokerOrderId);

  // 1. Missed fills, oldest first, each execution id once.
  const fills: Correction[] = [];
  const missedQty = new Map<string, number>();
  const positionDelta = new Map<string, number>();
  const seen = new Set(input.knownExecIds);
  for (const exec of [...snapshot.executions].sort((a, b) => a.ts - b.ts || a.execId.localeCompare(b.execId))) {
    if (seen.has(exec.execId)) continue;
    seen.add(exec.execId);
    const signed = exec.side === 'BUY' ? exec.quantity : -exec.quantity;
    positionDelta.set(exec.symbol, (positionDelta.get(exec.symbol) ?? 0) + signed);
    const local = find(exec.clientOrderId, exec.brokerOrderId);
    if (local) {
      fills.push({ kind: 'applyFill', clientOrderId: local.clientOrderId, execution: exec });
      missedQty.set(local.clientOrderId, (missedQty.get(local.clientOrderId) ?? 0) + exec.quantity);
    } else {
      fills.push({
        kind: 'externalFill',
        execution: exec,
        reason: `execution ${exec.execId} (${exec.side} ${exec.quantity} ${exec.symbol} @ ${exec.price}) matches no Kestrel order`,
      });
    }
  }

  // 2. Local open orders against the broker's open orders.
  const states: Correction[] = [];
  const matchedBroker = new Set<BrokerOpenOrder>();
  const brokerByClientId = new Map(
    snapshot.openOrders.filter((o) => o.clientOrderId).map((o) => [o.clientOrderId as string, o]),
  );
  const brokerById = new Map(snapshot.openOrders.map((o) => [o.brokerOrderId, o]));
  for (const local of orders) {
    const atBroker =
      brokerByClientId.get(local.clientOrderId) ??
      (local.brokerOrderId ? brokerById.get(local.brokerOrderId) : undefined);
    if (atBroker) matchedBroker.add(atBroker);
    if (!OPEN.has(local.status)) continue;
    if (local.submittedAt !== undefined && local.submittedAt >= input.asOf) continue;
    const missed = missedQty.get(local.clientOrderId) ?? 0;
    const filled = local.filled + missed;
    const { clientOrderId } = local;
    if (atBroker) {
      if (atBroker.filled > filled + EPSILON) {
        states.push({
          kind: 'fillMismatch',
          clientOrderId,
          localFilled: filled,
          brokerFilled: atBroker.filled,
          reason: `IB reports ${atBroker.filled} filled but the executions account for ${filled}`,
        });
      }
      if ((local.status === 'INITIALIZED' || local.status === 'SUBMITTED') && filled === 0) {
        states.push({
          kind: 'markAccepted',
          clientOrderId,
          brokerOrderId: atBroker.brokerOrderId,
          reason: `working at IB (${atBroker.status})`,
        });
      }
      continue;
    }
    if (filled >= local.quantity - EPSILON) {
      // Missed fills that complete the order finish it by themselves.
      if (missed === 0 && local.status !== 'FILLED') {
        states.push({ kind: 'markFilled', clientOrderId, reason: 'no longer open at IB and fully filled' });
      }
    } else if (local.status === 'INITIALIZED' || (local.status === 'SUBMITTED' && filled === 0)) {
      states.push({
        kind: 'markRejected',
        clientOrderId,
        reason: 'IB has no record of the order: it never reached IB or was rejected while disconnected',
      });
    } else {
      states.push({
        kind: 'markCanceled',
        clientOrderId,
        reason:
          filled > 0
            ? `no longer open at IB with ${filled} of ${local.quantity} filled: the rest was cancelled`
            : 'no longer open at IB and never filled: cancelled or expired while disconnected',
      });
    }
  }

  // 3. Broker orders nobody here placed (or whose local record is lost).
  const adoptions: Correction[] = [];
  for (const order of snapshot.openOrders) {
    if (matchedBroker.has(order)) continue;
    adoptions.push({
      kind: 'adoptExternal',
      order,
      reason: order.clientOrderId
        ? `open at IB with orderRef ${order.clientOrderId}, which no local order has`
        : `open at IB (${order.side} ${order.quantity} ${order.symbol}) and not placed by Kestrel`,
    });
  }

  // 4. Positions: local plus the missed fills should equal the broker's, summed over accounts.
  const mismatches: Correction[] = [];
  const expected = new Map<string, number>();
  for (const p of input.positions) expected.set(p.symbol, (expected.get(p.symbol) ?? 0) + p.quantity);
  for (const [symbol, delta] of positionDelta) expected.set(symbol, (expected.get(symbol) ?? 0) + delta);
  const broker = new Map<string, number>();
  for (const p of snapshot.positions) broker.set(p.symbol, (broker.get(p.symbol) ?? 0) + p.quantity);
  const symbols = [...new Set([...expected.keys(), ...broker.keys()])].sort();
  for (const symbol of symbols) {
    const local = expected.get(symbol) ?? 0;
    const atBroker = broker.get(symbol) ?? 0;
    if (Math.abs(local - atBroker) <= EPSILON) continue;
    mismatches.push({
      kind: 'positionMismatch',
      symbol,
      local,
      broker: atBroker,
      reason: `Kestrel expects ${local} ${symbol} (after missed fills), IB holds ${atBroker}`,
    });
  }

  return [...fills, ...states, ...adoptions, ...mismatches];
}
