import { describe, expect, it } from 'vitest';
import {
  ORDER_EVENT_KINDS,
  ORDER_STATUSES,
  isTerminal,
  isWorking,
  transitionOrder,
  type OrderEventKind,
} from '../../../src/main/execution/orderState';
import type { OrderStatus } from '../../../src/main/execution/types';

// The expected machine, written out independently of the implementation's table.
// Columns: DENY SUBMIT ACCEPT REJECT CANCEL_PENDING CANCEL_REJECT CANCEL EXPIRE FILL_PARTIAL FILL
// '-' invalid, '=' valid without a status change, 'R' restore (ACCEPTED, or PARTIALLY_FILLED with fills).
const abbrev: Record<string, OrderStatus> = {
  INI: 'INITIALIZED',
  DEN: 'DENIED',
  SUB: 'SUBMITTED',
  ACC: 'ACCEPTED',
  PAR: 'PARTIALLY_FILLED',
  FIL: 'FILLED',
  PCA: 'PENDING_CANCEL',
  CAN: 'CANCELED',
  REJ: 'REJECTED',
  EXP: 'EXPIRED',
};
const expected: Record<OrderStatus, string> = {
  INITIALIZED: 'DEN SUB -   REJ -   -   CAN -   -   -',
  DENIED: '=   -   -   -   -   -   -   -   -   -',
  SUBMITTED: '-   =   ACC REJ PCA =   CAN EXP PAR FIL',
  ACCEPTED: '-   =   =   REJ PCA =   CAN EXP PAR FIL',
  PARTIALLY_FILLED: '-   =   =   -   PCA =   CAN EXP =   FIL',
  PENDING_CANCEL: '-   =   =   -   =   R   CAN EXP =   FIL',
  FILLED: '-   =   =   -   -   =   -   -   =   =',
  CANCELED: '-   -   -   -   =   -   =   -   =   FIL',
  REJECTED: '-   -   -   =   -   -   -   -   -   -',
  EXPIRED: '-   -   -   -   -   -   =   =   =   FIL',
};

describe('order state machine', () => {
  const cases: [OrderStatus, OrderEventKind, string][] = [];
  for (const status of ORDER_STATUSES) {
    const cells = expected[status].trim().split(/\s+/);
    expect(cells).toHaveLength(ORDER_EVENT_KINDS.length);
    ORDER_EVENT_KINDS.forEach((ev, i) => cases.push([status, ev, cells[i]!]));
  }

  it('covers every status × event pair (100 cases)', () => {
    expect(cases).toHaveLength(100);
  });

  it.each(cases)('%s --%s--> %s', (status, ev, cell) => {
    for (const hasFills of [false, true]) {
      const r = transitionOrder(status, ev, hasFills);
      if (cell === '-') {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.reason).toContain(status);
      } else if (cell === '=') {
        expect(r).toEqual({ ok: true, next: status, changed: false });
      } else if (cell === 'R') {
        expect(r).toEqual({ ok: true, next: hasFills ? 'PARTIALLY_FILLED' : 'ACCEPTED', changed: true });
      } else {
        expect(r).toEqual({ ok: true, next: abbrev[cell], changed: true });
      }
    }
  });

  it('allows a fill straight after SUBMITTED (ACCEPTED skipped) and a late fill after CANCELED', () => {
    expect(transitionOrder('SUBMITTED', 'FILL', false)).toMatchObject({ next: 'FILLED' });
    expect(transitionOrder('CANCELED', 'FILL_PARTIAL', true)).toMatchObject({ ok: true, next: 'CANCELED' });
    expect(transitionOrder('PENDING_CANCEL', 'FILL', true)).toMatchObject({ next: 'FILLED' });
  });

  it('terminal and working statuses partition everything but INITIALIZED', () => {
    for (const s of ORDER_STATUSES) {
      expect(isWorking(s) && isTerminal(s)).toBe(false);
      expect(isWorking(s) || isTerminal(s)).toBe(s !== 'INITIALIZED');
    }
  });
});
