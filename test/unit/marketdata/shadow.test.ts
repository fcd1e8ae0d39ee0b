import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketEvent } from '../../../src/main/marketdata/provider';
import { ShadowComparator } from '../../../src/main/marketdata/shadow';
import type { ProviderName } from '../../../src/shared/domain';

const T0 = 1_760_000_000_000;

function trade(price: number, ts: number, provider: ProviderName = 'polygon', symbol = 'NVDA'): MarketEvent {
  return { type: 'trade', trade: { symbol, ts, price, size: 100, provider } };
}

function quote(bid: number, ask: number, ts: number, provider: ProviderName = 'polygon'): MarketEvent {
  return { type: 'quote', quote: { symbol: 'NVDA', ts, bid, bidSize: 1, ask, askSize: 1, provider } };
}

describe('ShadowComparator', () => {
  it('counts a mismatch only strictly beyond mismatchBps (default 10 bps)', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock);
    s.observeActive(trade(10_000, T0));
    s.observeShadow('finnhub', trade(10_010, T0 + 100, 'finnhub')); // exactly 10 bps: match
    s.observeShadow('finnhub', trade(9_990, T0 + 100, 'finnhub')); // exactly −10 bps: match
    s.observeShadow('finnhub', trade(10_011, T0 + 100, 'finnhub')); // 11 bps: mismatch
    s.observeShadow('finnhub', trade(9_989, T0 + 100, 'finnhub')); // −11 bps: mismatch
    const st = s.stats('finnhub');
    expect(st.comparisons).toBe(4);
    expect(st.mismatches).toBe(2);
    expect(st.mismatchRate).toBe(0.5);
    expect(st.meanAbsDiffBps).toBeCloseTo(10.5, 9);
    expect(st.p95SkewMs).toBe(100);
  });

  it('takes a configured threshold', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock, { mismatchBps: 50 });
    s.observeActive(trade(100, T0));
    s.observeShadow('yahoo', trade(100.4, T0, 'yahoo'));
    s.observeShadow('yahoo', trade(100.6, T0, 'yahoo'));
    expect(s.stats('yahoo')).toMatchObject({ comparisons: 2, mismatches: 1 });
  });

  it('compares only prices within maxSkewMs of each other', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock, { maxSkewMs: 2000 });
    s.observeActive(trade(100, T0));
    s.observeShadow('finnhub', trade(120, T0 + 2001, 'finnhub')); // too far after
    s.observeShadow('finnhub', trade(120, T0 - 2001, 'finnhub')); // too far before
    expect(s.stats('finnhub')).toMatchObject({ comparisons: 0, mismatches: 0, mismatchRate: null, skipped: 2 });
    s.observeShadow('finnhub', trade(120, T0 + 2000, 'finnhub'));
    expect(s.stats('finnhub')).toMatchObject({ comparisons: 1, mismatches: 1, mismatchRate: 1, p95SkewMs: 2000 });
  });

  it('skips shadow prices with no active price for the symbol', () => {
    const s = new ShadowComparator(new SimulatedClock(T0));
    s.observeActive(trade(100, T0, 'polygon', 'AMD'));
    s.observeShadow('finnhub', trade(100, T0, 'finnhub', 'NVDA'));
    expect(s.stats('finnhub')).toEqual({
      comparisons: 0,
      mismatches: 0,
      mismatchRate: null,
      meanAbsDiffBps: null,
      p95SkewMs: null,
      skipped: 1,
    });
  });

  it('keeps separate rates per shadow provider', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock);
    s.observeActive(trade(100, T0));
    for (const p of [100, 100, 100, 101]) s.observeShadow('finnhub', trade(p, T0, 'finnhub'));
    for (const p of [100, 100.05]) s.observeShadow('yahoo', trade(p, T0, 'yahoo'));
    expect(s.stats('finnhub').mismatchRate).toBe(0.25);
    expect(s.stats('yahoo').mismatchRate).toBe(0);
    expect(s.stats('alpaca').mismatchRate).toBeNull();
  });

  it('compares quote mids and bar closes dated at the end of the bar', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock);
    s.observeActive(quote(99, 101, T0)); // mid 100
    s.observeShadow('alpaca', quote(99.5, 100.5, T0, 'alpaca')); // mid 100: match
    // A bar opened a minute before T0 closes at T0.
    s.observeShadow('alpaca', {
      type: 'bar',
      bar: { symbol: 'NVDA', ts: T0 - 60_000, o: 99, h: 103, l: 98, c: 102, v: 10 },
    });
    // A bar opened at T0 closes a minute later: too far from the active quote.
    s.observeShadow('alpaca', { type: 'bar', bar: { symbol: 'NVDA', ts: T0, o: 99, h: 103, l: 98, c: 102, v: 10 } });
    expect(s.stats('alpaca')).toMatchObject({ comparisons: 2, mismatches: 1, skipped: 1 });
  });

  it('compares with the latest active price by event time', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock);
    s.observeActive(trade(100, T0 + 1000));
    s.observeActive(trade(200, T0)); // late, older: ignored
    s.observeShadow('finnhub', trade(100, T0 + 1000, 'finnhub'));
    expect(s.stats('finnhub').mismatches).toBe(0);
  });

  it('counts over a sliding window', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock, { windowMs: 10 * 60_000 });
    s.observeActive(trade(100, T0));
    s.observeShadow('finnhub', trade(105, T0, 'finnhub'));
    clock.advance(12 * 60_000);
    s.observeActive(trade(100, clock.now()));
    s.observeShadow('finnhub', trade(100, clock.now(), 'finnhub'));
    expect(s.stats('finnhub')).toMatchObject({ comparisons: 1, mismatches: 0, mismatchRate: 0 });
  });

  it('keeps its own copies and exposes no price', () => {
    const clock = new SimulatedClock(T0);
    const s = new ShadowComparator(clock);
    const active = trade(100, T0);
    s.observeActive(active);
    if (active.type === 'trade') active.trade.price = 500; // the caller mutates its event afterwards
    s.observeShadow('finnhub', trade(100, T0, 'finnhub'));
    expect(s.stats('finnhub').mismatches).toBe(0);
    // Nothing enumerable, nothing serialisable: state lives in #private fields.
    expect(Object.keys(s)).toEqual([]);
    expect(JSON.stringify(s)).toBe('{}');
    const methods = Object.getOwnPropertyNames(Object.getPrototypeOf(s)).sort();
    expect(methods).toEqual(['constructor', 'observeActive', 'observeShadow', 'stats']);
    expect(Object.keys(s.stats('finnhub')).sort()).toEqual(
      ['comparisons', 'meanAbsDiffBps', 'mismatchRate', 'mismatches', 'p95SkewMs', 'skipped'].sort(),
    );
  });
});
