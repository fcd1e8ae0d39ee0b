/**
 * The order state machine, pure and table-driven. Every broker adapter reports through the order
 * manager, which asks this table before it applies anything: an invalid transition is refused and
 * logged, never applied. The transitions are the ones real venues produce, modelled on
 * NautilusTrader's order FSM:
 * - ACCEPTED can be skipped: a marketable order may fill before the venue's ack arrives.
 * - A fill can still arrive after PENDING_CANCEL, CANCELED or EXPIRED (the cancel crossed the fill
 *   on the wire). The fill is applied; the order stays CANCELED/EXPIRED unless it is now complete.
 * - Repeat reports (a second ack, a second cancel) and late acks are no-ops, not errors.
 * - More fills on a FILLED order are applied (the shares really traded) and flagged as an overfill
 *   by the order manager.
 */
import { OrderStatus as OrderStatusSchema } from '../../shared/domain';
import type { OrderStatus } from './types';

export type OrderEventKind =
  | 'DENY'
  | 'SUBMIT'
  | 'ACCEPT'
  | 'REJECT'
  | 'CANCEL_PENDING'
  | 'CANCEL_REJECT'
  | 'CANCEL'
  | 'EXPIRE'
  /** A fill that leaves quantity open. */
  | 'FILL_PARTIAL'
  /** A fill that completes (or overfills) the order. */
  | 'FILL';

/** Every status, in the contract's order (one list: the shared zod enum). */
export const ORDER_STATUSES: readonly OrderStatus[] = OrderStatusSchema.options;

export const ORDER_EVENT_KINDS: readonly OrderEventKind[] = [
  'DENY',
  'SUBMIT',
  'ACCEPT',
  'REJECT',
  'CANCEL_PENDING',
  'CANCEL_REJECT',
  'CANCEL',
  'EXPIRE',
  'FILL_PARTIAL',
  'FILL',
];

/**
 * 'same': valid, the status does not change (a repeat or late report; a fill that is still
 * applied). 'restore': a refused cancel puts the order back to working: PARTIALLY_FILLED if it
 * has fills, else ACCEPTED. A missing entry is an invalid transition.
 */
export type TransitionTarget = OrderStatus | 'same' | 'restore';

export const TRANSITIONS: Readonly<Record<OrderStatus, Partial<Record<OrderEventKind, TransitionTarget>>>> = {
  INITIALIZED: {
    DENY: 'DENIED',
    SUBMIT: 'SUBMITTED',
    // The adapter refused it synchronously (e.g. the gateway dropped between check and send).
    REJECT: 'REJECTED',
    CANCEL: 'CANCELED',
  },
  DENIED: { DENY: 'same' },
  SUBMITTED: {
    SUBMIT: 'same',
    ACCEPT: 'ACCEPTED',
    REJECT: 'REJECTED',
    CANCEL_PENDING: 'PENDING_CANCEL',
    CANCEL_REJECT: 'same',
    CANCEL: 'CANCELED',
    EXPIRE: 'EXPIRED',
    FILL_PARTIAL: 'PARTIALLY_FILLED',
    FILL: 'FILLED',
  },
  ACCEPTED: {
    SUBMIT: 'same',
    ACCEPT: 'same',
    // Venues can reject after acking (e.g. IB 201 on a margin check after PreSubmitted).
    REJECT: 'REJECTED',
    CANCEL_PENDING: 'PENDING_CANCEL',
    CANCEL_REJECT: 'same',
    CANCEL: 'CANCELED',
    EXPIRE: 'EXPIRED',
    FILL_PARTIAL: 'PARTIALLY_FILLED',
    FILL: 'FILLED',
  },
  PARTIALLY_FILLED: {
    SUBMIT: 'same',
    ACCEPT: 'same',
    CANCEL_PENDING: 'PENDING_CANCEL',
    CANCEL_REJECT: 'same',
    CANCEL: 'CANCELED',
    EXPIRE: 'EXPIRED',
    FILL_PARTIAL: 'same',
    FILL: 'FILLED',
  },
  PENDING_CANCEL: {
    SUBMIT: 'same',
    ACCEPT: 'same',
    CANCEL_PENDING: 'same',
    CANCEL_REJECT: 'restore',
    CANCEL: 'CANCELED',
    EXPIRE: 'EXPIRED',
    // The cancel is still in flight: keep showing it (the kill switch counts confirmations).
    FILL_PARTIAL: 'same',
    FILL: 'FILLED',
  },
  FILLED: {
    // IB sends orderStatus Submitted/Filled after execDetails; harmless.
    SUBMIT: 'same',
    ACCEPT: 'same',
    CANCEL_REJECT: 'same',
    FILL_PARTIAL: 'same',
    FILL: 'same',
  },
  CANCELED: {
    CANCEL_PENDING: 'same',
    CANCEL: 'same',
    FILL_PARTIAL: 'same',
    FILL: 'FILLED',
  },
  REJECTED: { REJECT: 'same' },
  EXPIRED: {
    // IB reports an expired DAY order as Cancelled.
    CANCEL: 'same',
    EXPIRE: 'same',
    FILL_PARTIAL: 'same',
    FILL: 'FILLED',
  },
};

export type TransitionOutcome = { ok: true; next: OrderStatus; changed: boolean } | { ok: false; reason: string };

export function transitionOrder(current: OrderStatus, event: OrderEventKind, hasFills: boolean): TransitionOutcome {
  const target = TRANSITIONS[current][event];
  if (target === undefined) return { ok: false, reason: `invalid order transition ${current} --${event}-->` };
  if (target === 'same') return { ok: true, next: current, changed: false };
  const next = target === 'restore' ? (hasFills ? 'PARTIALLY_FILLED' : 'ACCEPTED') : target;
  return { ok: true, next, changed: next !== current };
}

/** At the broker and may still trade: what cancelAll and the kill switch must sweep. */
export function isWorking(status: OrderStatus): boolean {
  return (
    status === 'SUBMITTED' || status === 'ACCEPTED' || status === 'PARTIALLY_FILLED' || status === 'PENDING_CANCEL'
  );
}

/** No further state change except late fills (CANCELED, EXPIRED) or overfills (FILLED). */
export function isTerminal(status: OrderStatus): boolean {
  return (
    status === 'DENIED' || status === 'FILLED' || status === 'CANCELED' || status === 'REJECTED' || status === 'EXPIRED'
  );
}
