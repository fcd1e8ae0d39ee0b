import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { TimeWindowCounter, TimeWindowSamples } from '../../../src/main/marketdata/stats';

/** Deterministic [0, 1) source (LCG) so the reservoir tests cannot flake. */
function seeded(seed = 1): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('TimeWindowSamples', () => {
  it('gives nearest-rank percentiles, count and mean', () => {
    const clock = new SimulatedClock(1_000_000);
    const s = new TimeWindowSamples(clock);
    // Inserted out of order: sorting happens on read.
    for (let i = 100; i >= 1; i--) s.add(i);
    expect(s.count()).toBe(100);
    expect(s.mean()).toBe(50.5);
    expect(s.percentile(50)).toBe(50);
    expect(s.percentile(95)).toBe(95);
    expect(s.percentile(99)).toBe(99);
    expect(s.percentile(0)).toBe(1);
    expect(s.percentile(100)).toBe(100);
  });

  it('takes the ⌈p·n⌉-th value on small samples', () => {
    const clock = new SimulatedClock(0);
    const s = new TimeWindowSamples(clock);
    for (const v of [10, 20, 30]) s.add(v);
    expect(s.percentile(50)).toBe(20);
    expect(s.percentile(95)).toBe(30);
    expect(s.percentile(33)).toBe(10);
  });

  it('is empty as null, and refuses percentiles outside [0, 100]', () => {
    const s = new TimeWindowSamples(new SimulatedClock(0));
    expect(s.percentile(95)).toBeNull();
    expect(s.mean()).toBeNull();
    expect(s.count()).toBe(0);
    expect(() => s.percentile(101)).toThrow(RangeError);
    expect(() => s.percentile(-1)).toThrow(RangeError);
  });

  it('ignores non-finite values', () => {
    const s = new TimeWindowSamples(new SimulatedClock(0));
    s.add(Number.NaN);
    s.add(Infinity);
    s.add(5);
    expect(s.count()).toBe(1);
    expect(s.percentile(95)).toBe(5);
  });

  it('expires samples a slice after they leave the window', () => {
    const clock = new SimulatedClock(0);
    // 60 s window in 6 slices of 10 s.
    const s = new TimeWindowSamples(clock, { windowMs: 60_000, slices: 6 });
    clock.set(5_000);
    s.add(1);
    clock.set(30_000);
    s.add(2);
    clock.set(64_999); // sample at 5 000 is still inside (64 999 − 60 000 < 5 000)
    expect(s.count()).toBe(2);
    clock.set(69_999); // its slice [0, 10 000) still overlaps the window
    expect(s.count()).toBe(2);
    clock.set(70_000);
    expect(s.count()).toBe(1);
    expect(s.percentile(50)).toBe(2);
    clock.set(100_000);
    expect(s.count()).toBe(0);
    expect(s.percentile(50)).toBeNull();
  });

  it('reuses ring slots without leaking old slices into new ones', () => {
    const clock = new SimulatedClock(0);
    const s = new TimeWindowSamples(clock, { windowMs: 60_000, slices: 6 });
    for (let t = 0; t < 1_000_000; t += 1_000) {
      clock.set(t);
      s.add(t % 7);
    }
    // The window at 999 000 spans slices from 930 000 to 999 999: 70 samples.
    expect(s.count()).toBe(70);
  });

  it('drops samples older than the window', () => {
    const clock = new SimulatedClock(1_000_000);
    const s = new TimeWindowSamples(clock, { windowMs: 60_000, slices: 6 });
    s.add(1, 1_000_000 - 120_000);
    expect(s.count()).toBe(0);
    s.add(1, 1_000_000 - 30_000);
    expect(s.count()).toBe(1);
  });

  it('keeps memory bounded at any rate, with exact count and mean and an estimated percentile', () => {
    const clock = new SimulatedClock(0);
    const s = new TimeWindowSamples(clock, { windowMs: 60_000, slices: 1, maxSamples: 200, random: seeded(7) });
    const seen = new Set<number>();
    const rnd = seeded(42);
    let sum = 0;
    for (let i = 0; i < 20_000; i++) {
      const v = Math.floor(rnd() * 10_000);
      seen.add(v);
      sum += v;
      s.add(v);
    }
    expect(s.count()).toBe(20_000);
    expect(s.mean()).toBeCloseTo(sum / 20_000, 6);
    const p50 = s.percentile(50)!;
    const p95 = s.percentile(95)!;
    expect(seen.has(p50)).toBe(true);
    // 100 kept values: rank error about ±5 points at p50; generous bounds, deterministic seed.
    expect(p50).toBeGreaterThan(3_500);
    expect(p50).toBeLessThan(6_500);
    expect(p95).toBeGreaterThan(8_500);
    const kept = (s as unknown as { slices: ({ kept: number } | undefined)[] }).slices.reduce(
      (n, x) => n + (x?.kept ?? 0),
      0,
    );
    expect(kept).toBeLessThanOrEqual(200);
  });

  it('weights slices by what they saw when one is subsampled', () => {
    const clock = new SimulatedClock(0);
    // 2 slices of 30 s, 3 slots, 10 kept per slice.
    const s = new TimeWindowSamples(clock, { windowMs: 60_000, slices: 2, maxSamples: 30, random: seeded(3) });
    // Slice 0: 1 000 values of 1. Slice 1: 10 values of 100 (kept exactly).
    for (let i = 0; i < 1000; i++) s.add(1);
    clock.set(30_000);
    for (let i = 0; i < 10; i++) s.add(100);
    expect(s.count()).toBe(1010);
    // 1 000 of 1 010 values are 1: p95 is 1, not 100 as an unweighted sample of 20 would say.
    expect(s.percentile(95)).toBe(1);
    expect(s.percentile(100)).toBe(100);
  });
});

describe('TimeWindowCounter', () => {
  it('counts by key and expires with the window', () => {
    const clock = new SimulatedClock(0);
    const c = new TimeWindowCounter<'ok' | 'down'>(clock, { windowMs: 60_000, slices: 6 });
    c.add('ok');
    c.add('ok');
    c.add('down', 3);
    expect(c.get('ok')).toBe(2);
    expect(c.get('down')).toBe(3);
    expect(c.total()).toBe(5);
    clock.set(40_000);
    c.add('ok');
    expect(c.counts()).toEqual(
      new Map([
        ['ok', 3],
        ['down', 3],
      ]),
    );
    clock.set(70_000);
    expect(c.get('ok')).toBe(1);
    expect(c.get('down')).toBe(0);
    expect(c.total()).toBe(1);
    clock.set(200_000);
    expect(c.total()).toBe(0);
  });
});
