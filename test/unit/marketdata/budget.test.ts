import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { FREE_PLAN_BUDGETS, RequestBudget } from '../../../src/main/marketdata/budget';
import { fromNewYork, nyDateKey } from '../../../src/main/time/newYork';

// Tuesday 10 March 2026, New York (EDT since 8 March: UTC−4).
const NOON = fromNewYork(2026, 3, 10, 12, 0);

function takeN(b: RequestBudget, n: number): void {
  for (let i = 0; i < n; i++) expect(b.tryTake()).toEqual({ ok: true });
}

describe('RequestBudget', () => {
  it('allows a burst of perMinute, then refuses with the wait for one token', () => {
    const clock = new SimulatedClock(NOON);
    const b = new RequestBudget(clock, { perMinute: 5, perDay: Infinity, costPerRequestUsd: 0 });
    takeN(b, 5);
    const r = b.tryTake();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.kind).toBe('throttled');
    expect(r.retryAfterMs).toBe(12_000); // 5 per minute = one per 12 s
    expect(r.reason).toMatch(/per-minute budget of 5/);
  });

  it('refills continuously over simulated time, up to the burst and no further', () => {
    const clock = new SimulatedClock(NOON);
    const b = new RequestBudget(clock, { perMinute: 5, perDay: Infinity, costPerRequestUsd: 0 });
    takeN(b, 5);
    clock.advance(6_000); // half a token
    const half = b.tryTake();
    expect(half.ok).toBe(false);
    if (!half.ok) expect(half.retryAfterMs).toBe(6_000);
    clock.advance(6_000);
    takeN(b, 1);
    expect(b.tryTake().ok).toBe(false);
    clock.advance(10 * 60_000); // ten minutes idle: the bucket holds 5, not 50
    takeN(b, 5);
    expect(b.tryTake().ok).toBe(false);
  });

  it('waiting exactly retryAfterMs always yields a token', () => {
    const clock = new SimulatedClock(NOON);
    const b = new RequestBudget(clock, { perMinute: 7, perDay: Infinity, costPerRequestUsd: 0 });
    for (let i = 0; i < 50; i++) {
      let r = b.tryTake();
      while (r.ok) r = b.tryTake();
      clock.advance(r.retryAfterMs);
      expect(b.tryTake().ok).toBe(true);
    }
  });

  it('caps the day and resets at midnight New York time, not UTC', () => {
    // 18:00 New York is 22:00 UTC: UTC midnight comes two hours before New York's.
    const clock = new SimulatedClock(fromNewYork(2026, 3, 10, 18, 0));
    const b = new RequestBudget(clock, { perMinute: 5, perDay: 25, costPerRequestUsd: 0 });
    for (let i = 0; i < 25; i++) {
      takeN(b, 1);
      clock.advance(12_000);
    }
    expect(b.usedToday()).toBe(25);
    expect(b.remainingToday()).toBe(0);
    const r = b.tryTake();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.reason).toMatch(/daily budget of 25/);
    expect(r.retryAfterMs).toBe(fromNewYork(2026, 3, 11, 0, 0) - clock.now());

    clock.set(Date.UTC(2026, 2, 11, 0, 30)); // 00:30 UTC = 20:30 New York, same NY day
    expect(b.tryTake().ok).toBe(false);
    expect(b.usedToday()).toBe(25);

    clock.set(fromNewYork(2026, 3, 11, 0, 0) - 1);
    expect(b.tryTake().ok).toBe(false);
    clock.advance(1); // 00:00 New York = 04:00 UTC
    expect(nyDateKey(clock.now())).toBe('2026-03-11');
    expect(b.usedToday()).toBe(0);
    expect(b.remainingToday()).toBe(25);
    takeN(b, 1);
    expect(b.usedToday()).toBe(1);
  });

  it('resets at New York midnight in winter too (EST, UTC−5)', () => {
    const clock = new SimulatedClock(fromNewYork(2026, 1, 15, 23, 59));
    const b = new RequestBudget(clock, { perMinute: 100, perDay: 1, costPerRequestUsd: 0 });
    takeN(b, 1);
    const r = b.tryTake();
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.retryAfterMs).toBe(60_000);
    clock.set(Date.UTC(2026, 0, 16, 5, 0)); // 00:00 EST
    takeN(b, 1);
  });

  it('reports caps, remaining requests and cost', () => {
    const clock = new SimulatedClock(NOON);
    const b = new RequestBudget(clock, { perMinute: 60, perDay: 1000, costPerRequestUsd: 0.002 });
    expect(b.cap()).toEqual({ perMinute: 60, perDay: 1000 });
    takeN(b, 3);
    expect(b.usedToday()).toBe(3);
    expect(b.remainingToday()).toBe(997);
    expect(b.costTodayUsd()).toBeCloseTo(0.006, 12);
    expect(b.costPerQuoteUsd(12)).toBeCloseTo(0.0005, 12);
    expect(b.costPerQuoteUsd(0)).toBeNull();
    // Refused requests cost nothing.
    const free = new RequestBudget(clock, FREE_PLAN_BUDGETS.polygon);
    takeN(free, 5);
    expect(free.tryTake().ok).toBe(false);
    expect(free.usedToday()).toBe(5);
    expect(free.costPerQuoteUsd(5)).toBe(0);
    expect(free.remainingToday()).toBe(Infinity);
  });

  it('stretches the poll interval so the daily budget lasts the session', () => {
    const clock = new SimulatedClock(fromNewYork(2026, 3, 10, 9, 30));
    const b = new RequestBudget(clock, FREE_PLAN_BUDGETS.alphavantage);
    const session = 6.5 * 3_600_000;
    // 25 requests over 6.5 h: one every 936 s.
    expect(b.pollIntervalMs(1000, session)).toBe(936_000);
    takeN(b, 5);
    // 20 left over the same time: one every 1 170 s.
    expect(b.pollIntervalMs(1000, session)).toBe(1_170_000);
    // A longer base wins.
    expect(b.pollIntervalMs(2_000_000, session)).toBe(2_000_000);
  });

  it('never polls faster than the bucket allows, and does not stretch without a daily cap', () => {
    const clock = new SimulatedClock(NOON);
    const finnhub = new RequestBudget(clock, FREE_PLAN_BUDGETS.finnhub);
    expect(finnhub.pollIntervalMs(200, 3_600_000)).toBe(1000); // 60/min
    expect(finnhub.pollIntervalMs(5000, 3_600_000)).toBe(5000);
    const polygon = new RequestBudget(clock, FREE_PLAN_BUDGETS.polygon);
    expect(polygon.pollIntervalMs(1000, 3_600_000)).toBe(12_000);
    // Plenty of daily budget over a short session: the bucket is the limit.
    const av = new RequestBudget(clock, FREE_PLAN_BUDGETS.alphavantage);
    expect(av.pollIntervalMs(1000, 60_000)).toBe(12_000);
  });

  it('stretches only to the daily reset, and waits for it when the day is spent', () => {
    const clock = new SimulatedClock(fromNewYork(2026, 3, 10, 23, 0));
    const b = new RequestBudget(clock, { perMinute: 60, perDay: 10, costPerRequestUsd: 0 });
    // Ten hours of session left, but the budget resets in one hour: 10 requests over 1 h.
    expect(b.pollIntervalMs(1000, 10 * 3_600_000)).toBe(360_000);
    takeN(b, 10);
    expect(b.pollIntervalMs(1000, 10 * 3_600_000)).toBe(3_600_000);
    // Session over: no stretch beyond the bucket.
    const c = new RequestBudget(clock, { perMinute: 60, perDay: 10, costPerRequestUsd: 0 });
    expect(c.pollIntervalMs(1000, 0)).toBe(1000);
  });

  it('has free-plan defaults', () => {
    expect(FREE_PLAN_BUDGETS.alphavantage).toEqual({ perMinute: 5, perDay: 25, costPerRequestUsd: 0 });
    expect(FREE_PLAN_BUDGETS.polygon).toEqual({ perMinute: 5, perDay: Infinity, costPerRequestUsd: 0 });
    expect(FREE_PLAN_BUDGETS.finnhub.perMinute).toBe(60);
    expect(FREE_PLAN_BUDGETS.alpaca.perMinute).toBe(200);
    expect(FREE_PLAN_BUDGETS.yahoo.perMinute).toBe(60);
    for (const plan of Object.values(FREE_PLAN_BUDGETS)) expect(plan.costPerRequestUsd).toBe(0);
  });

  it('accepts no per-minute limit and refuses nonsense', () => {
    const clock = new SimulatedClock(NOON);
    const b = new RequestBudget(clock, { perMinute: Infinity, perDay: 3, costPerRequestUsd: 0 });
    takeN(b, 3);
    expect(b.tryTake().ok).toBe(false);
    expect(() => new RequestBudget(clock, { perMinute: 0, perDay: 1, costPerRequestUsd: 0 })).toThrow(RangeError);
    expect(() => new RequestBudget(clock, { perMinute: 1, perDay: 0, costPerRequestUsd: 0 })).toThrow(RangeError);
    expect(() => new RequestBudget(clock, { perMinute: 1, perDay: 1, costPerRequestUsd: -1 })).toThrow(RangeError);
  });
});
