import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../../src/main/backfill/backoff';
import { planJobs, subtractRanges } from '../../../src/main/backfill/plan';
import { fromNewYork } from '../../../src/main/time/newYork';

const MIN = 60_000;
const ny = (d: number, h: number, m = 0) => fromNewYork(2024, 3, d, h, m);
const gap = (from: number, minutes: number) => ({ fromTs: from, toTs: from + minutes * MIN, minutes });

describe('backoffDelayMs', () => {
  const cfg = { baseMs: 1000, maxMs: 8000 };
  it('doubles per failure with equal jitter, capped at maxMs', () => {
    expect([1, 2, 3, 4, 5, 9].map((n) => backoffDelayMs(n, cfg, () => 1))).toEqual([
      1000, 2000, 4000, 8000, 8000, 8000,
    ]);
    expect(backoffDelayMs(3, cfg, () => 0)).toBe(2000);
  });
  it("takes a provider's Retry-After as a floor", () => {
    expect(backoffDelayMs(1, cfg, () => 0, 60_000)).toBe(60_000);
    expect(backoffDelayMs(4, cfg, () => 1, 10)).toBe(8000);
  });
});

describe('planJobs', () => {
  it('merges the holes of one session day into one job, one job per day', () => {
    const gaps = [gap(ny(12, 10), 2), gap(ny(12, 11), 1), gap(ny(13, 9, 30), 5)];
    expect(planJobs(gaps, [])).toEqual([
      { fromTs: ny(12, 10), toTs: ny(12, 11, 1) },
      { fromTs: ny(13, 9, 30), toTs: ny(13, 9, 35) },
    ]);
  });
  it('leaves out what existing jobs cover and trims pieces to missing minutes', () => {
    const gaps = [gap(ny(12, 10), 2), gap(ny(12, 11), 1), gap(ny(12, 12), 3)];
    // A job already covers 10:30–11:30: the 11:00 hole is taken.
    expect(planJobs(gaps, [[ny(12, 10, 30), ny(12, 11, 30)]])).toEqual([
      { fromTs: ny(12, 10), toTs: ny(12, 10, 2) },
      { fromTs: ny(12, 12), toTs: ny(12, 12, 3) },
    ]);
    expect(planJobs(gaps, [[ny(12, 9), ny(12, 16)]])).toEqual([]);
  });
  it('subtractRanges handles unsorted and overlapping intervals', () => {
    expect(
      subtractRanges(0, 100, [
        [50, 60],
        [10, 20],
        [15, 30],
      ]),
    ).toEqual([
      { fromTs: 0, toTs: 10 },
      { fromTs: 30, toTs: 50 },
      { fromTs: 60, toTs: 100 },
    ]);
  });
});
