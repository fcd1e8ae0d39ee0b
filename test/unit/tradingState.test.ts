import { describe, expect, it } from 'vitest';
import { allowsNewOrders, transition } from '../../src/main/execution/tradingState';

describe('trading-state machine', () => {
  it('engages from any state, and pressing again changes nothing', () => {
    expect(transition('ACTIVE', 'engage')).toEqual({ ok: true, next: 'HALTED', changed: true });
    expect(transition('REDUCING', 'engage')).toEqual({ ok: true, next: 'HALTED', changed: true });
    expect(transition('HALTED', 'engage')).toEqual({ ok: true, next: 'HALTED', changed: false });
  });

  it('re-arms only from HALTED or REDUCING', () => {
    expect(transition('HALTED', 'rearm')).toEqual({ ok: true, next: 'ACTIVE', changed: true });
    expect(transition('REDUCING', 'rearm')).toEqual({ ok: true, next: 'ACTIVE', changed: true });
    expect(transition('ACTIVE', 'rearm').ok).toBe(false);
  });

  it('never loosens HALTED to REDUCING without a re-arm', () => {
    expect(transition('HALTED', 'reduce').ok).toBe(false);
    expect(transition('ACTIVE', 'reduce')).toEqual({ ok: true, next: 'REDUCING', changed: true });
  });

  it('allows new orders only as each state says', () => {
    expect(allowsNewOrders('ACTIVE', false)).toBe(true);
    expect(allowsNewOrders('REDUCING', false)).toBe(false);
    expect(allowsNewOrders('REDUCING', true)).toBe(true);
    expect(allowsNewOrders('HALTED', true)).toBe(false);
  });
});
