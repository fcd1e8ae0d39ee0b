/**
 * Order events and the one reducer that turns them into order state. The order manager runs the
 * reducer on live reports and on the stored event log at start-up, so "rebuild from events" and
 * "live state" are the same code path by construction.
 */
import { transitionOrder, type OrderEventKind } from './orderState';
import type { OrderMode, OrderRequest, OrderStatus } from './types';

export type OrderEventBody =
  | { kind: 'created'; order: OrderRequest }
  | { kind: 'denied'; code: string; reason: string }
  | { kind: 'submitted'; brokerOrderId: string | null }
  | { kind: 'accepted'; brokerOrderId: string | null }
  | { kind: 'rejected'; reason: string; code: number | null }
  /** source 'local': we sent a cancel; 'broker': the venue said it is pending. */
  | { kind: 'cancelPending'; source: 'local' | 'broker' }
  | { kind: 'cancelRejected'; reason: string }
  | { kind: 'canceled'; reason: string | null }
  | { kind: 'expired' }
  | { kind: 'fill'; execId: string; quantity: number; price: number; commission: number | null }
  | { kind: 'commission'; execId: string; commission: number; currency: string };

export type OrderEventKindName = OrderEventBody['kind'];

/** An event as stored: `refused` events are kept for the record but never change state. */
export type OrderEvent = OrderEventBody & {
  clientOrderId: string;
  mode: OrderMode;
  ts: number;
  /** Set when the state machine refused the event. */
  refused?: string;
};

export type StoredOrderEvent = OrderEvent & { seq: number; status: OrderStatus };

export interface OrderRecord {
  clientOrderId: string;
  request: OrderRequest;
  status: OrderStatus;
  brokerOrderId: string | null;
  filledQty: number;
  /** Running weighted average of the fills; null before the first one. */
  avgFillPrice: number | null;
  commission: number;
  /** Why it was denied, rejected or cancelled, or why a cancel was refused. */
  reason: string | null;
  /** The risk reason code of a denial. */
  denyCode: string | null;
  /** Filled beyond its quantity: flagged and alerted, the extra shares are still in the position. */
  overfilled: boolean;
  createdAt: number;
  updatedAt: number;
}

export type ReduceResult =
  { ok: true; order: OrderRecord; changed: boolean; overfill: boolean } | { ok: false; reason: string };

const eventKind: Record<Exclude<OrderEventKindName, 'created' | 'fill' | 'commission'>, OrderEventKind> = {
  denied: 'DENY',
  submitted: 'SUBMIT',
  accepted: 'ACCEPT',
  rejected: 'REJECT',
  cancelPending: 'CANCEL_PENDING',
  cancelRejected: 'CANCEL_REJECT',
  canceled: 'CANCEL',
  expired: 'EXPIRE',
};

/** Applies one event to an order (undefined before 'created'). Pure: returns a new record. */
export function reduceOrder(order: OrderRecord | undefined, ev: OrderEvent): ReduceResult {
  if (ev.kind === 'created') {
    if (order) return { ok: false, reason: `order ${ev.clientOrderId} already exists` };
    const o = ev.order;
    return {
      ok: true,
      changed: true,
      overfill: false,
      order: {
        clientOrderId: o.clientOrderId,
        request: o,
        status: 'INITIALIZED',
        brokerOrderId: null,
        filledQty: 0,
        avgFillPrice: null,
        commission: 0,
        reason: null,
        denyCode: null,
        overfilled: false,
        createdAt: ev.ts,
        updatedAt: ev.ts,
      },
    };
  }
  if (!order) return { ok: false, reason: `unknown order ${ev.clientOrderId}` };

  if (ev.kind === 'commission') {
    return {
      ok: true,
      changed: true,
      overfill: false,
      order: { ...order, commission: order.commission + ev.commission, updatedAt: ev.ts },
    };
  }

  if (ev.kind === 'fill') {
    const filled = order.filledQty + ev.quantity;
    const t = transitionOrder(
      order.status,
      filled >= order.request.quantity ? 'FILL' : 'FILL_PARTIAL',
      order.filledQty > 0,
    );
    if (!t.ok) return t;
    const avg = ((order.avgFillPrice ?? 0) * order.filledQty + ev.price * ev.quantity) / filled;
    const overfill = filled > order.request.quantity;
    return {
      ok: true,
      changed: true,
      overfill,
      order: {
        ...order,
        status: t.next,
        filledQty: filled,
        avgFillPrice: avg,
        commission: order.commission + (ev.commission ?? 0),
        overfilled: order.overfilled || overfill,
        updatedAt: ev.ts,
      },
    };
  }

  const t = transitionOrder(order.status, eventKind[ev.kind], order.filledQty > 0);
  if (!t.ok) return t;
  const next: OrderRecord = { ...order, status: t.next };
  switch (ev.kind) {
    case 'denied':
      next.reason = ev.reason;
      next.denyCode = ev.code;
      break;
    case 'submitted':
    case 'accepted':
      if (ev.brokerOrderId !== null) next.brokerOrderId = ev.brokerOrderId;
      break;
    case 'rejected':
    case 'cancelRejected':
      next.reason = ev.reason;
      break;
    case 'canceled':
      if (t.changed) next.reason = ev.reason ?? 'cancelled';
      break;
    case 'cancelPending':
    case 'expired':
      break;
  }
  const changed = t.changed || next.brokerOrderId !== order.brokerOrderId || next.reason !== order.reason;
  if (changed) next.updatedAt = ev.ts;
  return { ok: true, changed, overfill: false, order: changed ? next : order };
}

/** Persistence for order events. SqliteOrderRepo for the app; MemoryOrderStore for backtests and benches. */
export interface OrderEventStore {
  /** Next client order id for a New York trading day ('YYYYMMDD'); unique across restarts. */
  nextClientOrderId(day: string): string;
  /** Appends an event (and its fill row for fills). Returns false for a fill whose execId is already stored. */
  append(ev: OrderEvent, status: OrderStatus, fill?: FillRow): boolean;
  /** Records a commission that arrived separately on the fill it belongs to. */
  setCommission(execId: string, commission: number): void;
  /** Every event in append order. */
  events(): StoredOrderEvent[];
  fills(): FillRow[];
}

export interface FillRow {
  execId: string;
  clientOrderId: string;
  mode: OrderMode;
  symbol: string;
  side: OrderRequest['side'];
  quantity: number;
  price: number;
  commission: number | null;
  ts: number;
}

export class MemoryOrderStore implements OrderEventStore {
  private readonly log: StoredOrderEvent[] = [];
  private readonly fillRows = new Map<string, FillRow>();
  private readonly seqByDay = new Map<string, number>();

  nextClientOrderId(day: string): string {
    const seq = (this.seqByDay.get(day) ?? 0) + 1;
    this.seqByDay.set(day, seq);
    return `K-${day}-${seq}`;
  }

  append(ev: OrderEvent, status: OrderStatus, fill?: FillRow): boolean {
    if (fill) {
      if (this.fillRows.has(fill.execId)) return false;
      this.fillRows.set(fill.execId, { ...fill });
    }
    this.log.push({ ...ev, seq: this.log.length + 1, status });
    return true;
  }

  setCommission(execId: string, commission: number): void {
    const row = this.fillRows.get(execId);
    if (row) row.commission = commission;
  }

  events(): StoredOrderEvent[] {
    return [...this.log];
  }

  fills(): FillRow[] {
    return [...this.fillRows.values()].map((f) => ({ ...f }));
  }
}
