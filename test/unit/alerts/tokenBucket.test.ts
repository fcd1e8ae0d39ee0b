import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../src/main/alerts/tokenBucket';
import { SimulatedClock } from '../../../src/main/clock';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate per minute', () => {
    const clock = new SimulatedClock(1_000_000);
    const b = new TokenBucket(clock, 10, 3);
    expect([b.tryTake(), b.tryTake(), b.tryTake(), b.tryTake()]).toEqual([true, true, true, false]);
    clock.advance(5_999); // 10/min: one token takes 6 s
    expect(b.tryTake()).toBe(false);
    clock.advance(1);
    expect(b.tryTake()).toBe(true);
    clock.advance(10 * 60_000); // never more than the burst
    expect(b.available()).toBe(3);
  });

  it('keeps a reserve for callers that ask with keep=0', () => {
    const clock = new SimulatedClock(0);
    const b = new TokenBucket(clock, 1, 3);
    expect(b.tryTake(2)).toBe(true); // 3 → 2
    expect(b.tryTake(2)).toBe(false); // would leave fewer than 2
    expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(true);
    expect(b.tryTake(0)).toBe(false);
  });
});
