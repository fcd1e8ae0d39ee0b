import { describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import { BarAggregator, type BarDiff } from '../../../src/main/bars/aggregator';
import type { StoredBar } from '../../../src/main/bars/types';

const M = Date.UTC(2026, 10, 20, 15, 0); // a minute boundary

function setup() {
  const clock = new SimulatedClock(M);
  const closed: StoredBar[] = [];
  const amended: { bar: StoredBar; previous: StoredBar }[] = [];
  const reconciled: BarDiff[] = [];
  const agg = new BarAggregator(clock, {
    closed: (b) => closed.push(b),
    amended: (bar, previous) => amended.push({ bar, previous }),
    reconciled: (d) => reconciled.push(d),
  });
  return { clock, agg, closed, amended, reconciled };
}

let seq = 0;
const trade = (ts: number, price: number, size = 100, id: string | undefined = String(++seq)): Trade => ({
  symbol: 'NVDA',
  ts,
  price,
  size,
  provider: 'polygon',
  ...(id ? { id } : {}),
});

describe('bar aggregation', () => {
  it('builds OHLCV, VWAP and trade count, and closes on the minute boundary by the clock', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100));
    clock.set(M + 20_000);
    agg.onTrade(trade(M + 20_000, 12, 50));
    clock.set(M + 30_000);
    agg.onTrade(trade(M + 30_000, 9, 50));
    clock.set(M + 59_000);
    agg.onTrade(trade(M + 59_000, 11, 200));
    clock.set(M + 59_999);
    agg.onClock();
    expect(closed).toEqual([]);
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({
      symbol: 'NVDA',
      interval: '1m',
      ts: M,
      o: 10,
      h: 12,
      l: 9,
      c: 11,
      v: 400,
      n: 4,
      status: 'live',
      provider: 'built',
    });
    expect(closed[0]!.vw).toBeCloseTo((10 * 100 + 12 * 50 + 9 * 50 + 11 * 200) / 400, 12);
  });

  it('orders open and close by trade time when trades arrive out of order', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 40_000);
    agg.onTrade(trade(M + 30_000, 11));
    agg.onTrade(trade(M + 5_000, 10)); // earlier trade arriving later
    agg.onTrade(trade(M + 20_000, 13));
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed[0]).toMatchObject({ o: 10, c: 11, h: 13, l: 10, n: 3 });
  });

  it('amends a closed bar with a late trade inside the grace window, and drops one after it', () => {
    const { clock, agg, closed, amended, reconciled } = setup();
    clock.set(M + 10_000);
    agg.onTrade(trade(M + 10_000, 10));
    clock.set(M + 60_000);
    agg.onClock();
    clock.set(M + 61_500);
    agg.onTrade(trade(M + 59_900, 14, 10));
    expect(amended).toHaveLength(1);
    expect(amended[0]!.bar).toMatchObject({ ts: M, h: 14, c: 14, v: 110, n: 2, status: 'amended' });
    expect(amended[0]!.previous).toMatchObject({ h: 10, status: 'live' });
    clock.set(M + 62_500);
    agg.onTrade(trade(M + 59_950, 99, 10));
    expect(amended).toHaveLength(1);
    expect(agg.counters.tooLate).toBe(1);
    expect(closed).toHaveLength(1);
    expect(reconciled).toEqual([]);
  });

  it('drops duplicates, future trades and bad fields, counting each, without touching the bar', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 10_000);
    agg.onTrade(trade(M + 1000, 10, 100, 'a'));
    agg.onTrade(trade(M + 2000, 50, 100, 'a')); // same id
    agg.onTrade(trade(M + 60_000 * 5, 70)); // 5 minutes in the future
    agg.onTrade(trade(M + 3000, Number.NaN));
    agg.onTrade(trade(M + 3000, 0));
    agg.onTrade(trade(M + 3000, -1));
    agg.onTrade({ ...trade(M + 3000, 10), size: Number.NaN });
    agg.onTrade({ ...trade(M + 3000, 10), ts: null as unknown as number });
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed[0]).toMatchObject({ o: 10, h: 10, l: 10, c: 10, v: 100, n: 1 });
    expect(agg.counters).toMatchObject({ trades: 1, duplicates: 1, future: 1, invalid: 5 });
  });

  it('builds no bar for a minute without trades', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10));
    clock.set(M + 3 * 60_000 + 1000);
    agg.onTrade(trade(M + 3 * 60_000 + 1000, 11));
    clock.set(M + 4 * 60_000);
    agg.onClock();
    expect(closed.map((b) => b.ts)).toEqual([M, M + 3 * 60_000]);
  });

  it('prefers a provider minute bar and records the difference from the built one', () => {
    const { clock, agg, reconciled } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100));
    clock.set(M + 60_500);
    const stored = agg.onProviderBar(
      { symbol: 'NVDA', ts: M, o: 10, h: 10.5, l: 9.9, c: 10.2, v: 120, vw: 10.1 },
      'polygon',
    );
    expect(stored).toMatchObject({ ts: M, provider: 'polygon', h: 10.5, v: 120, vw: 10.1, status: 'live' });
    expect(reconciled).toHaveLength(1);
    expect(reconciled[0]!.diff).toMatchObject({ o: 0, v: 20 });
    expect(reconciled[0]!.diff!.h).toBeCloseTo(0.5, 12);
  });

  it('rejects a provider bar with NaN or null fields, or a broken shape', () => {
    const { agg, reconciled } = setup();
    expect(agg.onProviderBar({ symbol: 'NVDA', ts: M, o: Number.NaN, h: 1, l: 1, c: 1, v: 1 }, 'alpaca')).toBeNull();
    expect(
      agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 1, h: 1, l: 1, c: null as unknown as number, v: 1 }, 'alpaca'),
    ).toBeNull();
    expect(agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 1, h: 0.5, l: 1, c: 1, v: 1 }, 'alpaca')).toBeNull();
    expect(agg.onProviderBar({ symbol: 'NVDA', ts: M + 1, o: 1, h: 1, l: 1, c: 1, v: 1 }, 'alpaca')).toBeNull();
    expect(agg.counters.providerBarsRejected).toBe(4);
    expect(reconciled).toEqual([]);
  });
});
