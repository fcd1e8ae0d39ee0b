import { describe, expect, it } from 'vitest';
import { Deduper } from '../../../src/main/alerts/dedup';
import { SimulatedClock } from '../../../src/main/clock';

describe('Deduper', () => {
  it('suppresses the same kind and title within the window and reports the count on the next send', () => {
    const clock = new SimulatedClock(0);
    const d = new Deduper(clock, 60_000);
    const a = { kind: 'failover' as const, title: 'Failover NVDA' };
    expect(d.check(a)).toEqual({ suppressed: 0 });
    d.sent(a);
    clock.advance(10_000);
    expect(d.check(a)).toBeNull();
    expect(d.check(a)).toBeNull();
    // Another title or another kind is not a repeat.
    expect(d.check({ kind: 'failover', title: 'Failover MSFT' })).toEqual({ suppressed: 0 });
    expect(d.check({ kind: 'other', title: 'Failover NVDA' })).toEqual({ suppressed: 0 });
    clock.advance(50_000); // the window has ended
    expect(d.check(a)).toEqual({ suppressed: 2 });
    d.sent(a);
    clock.advance(61_000);
    expect(d.check(a)).toEqual({ suppressed: 0 });
  });

  it('opens no window for an alert that was checked but never sent', () => {
    const clock = new SimulatedClock(0);
    const d = new Deduper(clock, 60_000);
    const a = { kind: 'storage' as const, title: 'Bar storage failed' };
    expect(d.check(a)).not.toBeNull();
    expect(d.check(a)).not.toBeNull();
  });
});
