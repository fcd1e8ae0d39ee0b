import { describe, expect, it } from 'vitest';
import type { Trade } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import { BarAggregator, type AggregatorConfig, type BarDiff } from '../../../src/main/bars/aggregator';
import type { StoredBar } from '../../../src/main/bars/types';

const M = Date.UTC(2026, 10, 20, 15, 0); // a minute boundary

function setup(cfg: Partial<AggregatorConfig> = {}) {
  const clock = new SimulatedClock(M);
  const closed: StoredBar[] = [];
  const amended: { bar: StoredBar; previous: StoredBar }[] = [];
  const reconciled: BarDiff[] = [];
  const agg = new BarAggregator(
    clock,
    {
      closed: (b) => closed.push(b),
      amended: (bar, previous) => amended.push({ bar, previous }),
      reconciled: (d) => reconciled.push(d),
    },
    cfg,
  );
  return { clock, agg, closed, amended, reconciled };
}

let seq = 0;
const trade = (
  ts: number,
  price: number,
  size = 100,
  id: string | undefined = String(++seq),
  symbol = 'NVDA',
): Trade => ({
  symbol,
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
    agg.onTrade({ ...trade(M + 3000, 10), price: null as unknown as number });
    agg.onTrade({ ...trade(M + 3000, 10), price: Number.POSITIVE_INFINITY });
    agg.onTrade(trade(M + 3000, 10, 0)); // zero size
    agg.onTrade(trade(M + 3000, 10, -5));
    agg.onTrade({ ...trade(M + 3000, 10), ts: M + 3000.5 }); // not whole ms
    agg.onTrade({ ...trade(M + 3000, 10), symbol: '' });
    agg.onTrade(trade(M + 10_000 + 2000, 10, 1, 'edge')); // exactly at the future tolerance: accepted
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed[0]).toMatchObject({ o: 10, h: 10, l: 10, c: 10, v: 101, n: 2 });
    expect(agg.counters).toMatchObject({ trades: 2, duplicates: 1, future: 1, invalid: 11 });
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

  it('closes by the clock alone, one bar per symbol, with no later trade for either', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 5000);
    agg.onTrade(trade(M + 5000, 10, 100, undefined, 'NVDA'));
    agg.onTrade(trade(M + 6000, 20, 100, undefined, 'MSFT'));
    clock.set(M + 59_999);
    agg.onClock();
    expect(closed).toEqual([]);
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed.map((b) => [b.symbol, b.ts, b.c])).toEqual([
      ['NVDA', M, 10],
      ['MSFT', M, 20],
    ]);
    agg.onClock();
    expect(closed).toHaveLength(2); // closes once
  });

  it('does not close a minute early when a trade for the next minute arrives first (ahead of our clock)', () => {
    const { clock, agg, closed, amended } = setup();
    clock.set(M + 59_000);
    agg.onTrade(trade(M + 59_000, 10));
    agg.onTrade(trade(M + 60_500, 12)); // provider clock slightly ahead: next minute, within tolerance
    expect(closed).toEqual([]);
    agg.onTrade(trade(M + 59_500, 11)); // still minute M, still open
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ ts: M, o: 10, c: 11, n: 2, status: 'live' });
    expect(amended).toEqual([]);
    clock.set(M + 120_000);
    agg.onClock();
    expect(closed[1]).toMatchObject({ ts: M + 60_000, o: 12, n: 1 });
  });

  it('a late trade for a minute that had no bar builds and closes one at once, within grace only', () => {
    const { clock, agg, closed, amended } = setup();
    clock.set(M + 61_000);
    agg.onTrade(trade(M + 59_000, 10)); // minute M ended 1 s ago, nothing was built for it
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ ts: M, o: 10, c: 10, n: 1, status: 'live' });
    expect(agg.counters.lateNewBar).toBe(1);
    clock.set(M + 121_000 + 2001);
    agg.onTrade(trade(M + 119_000, 10)); // minute M+1 ended 2.001 s ago
    expect(closed).toHaveLength(1);
    expect(amended).toEqual([]);
    expect(agg.counters.tooLate).toBe(1);
  });

  it('measures grace from the end of the minute, and it is configurable', () => {
    const { clock, agg, amended } = setup({ graceMs: 5000 });
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10));
    clock.set(M + 65_000); // exactly 5 s after the minute ended: still inside
    agg.onTrade(trade(M + 500, 11)); // stamped before the first trade: becomes the open, not the close
    expect(amended).toHaveLength(1);
    expect(amended[0]!.bar).toMatchObject({ n: 2, o: 11, h: 11, c: 10, status: 'amended' });
    clock.set(M + 65_001);
    agg.onTrade(trade(M + 3000, 12));
    expect(amended).toHaveLength(1);
    expect(agg.counters).toMatchObject({ lateAmended: 1, tooLate: 1 });
  });

  it('never lets a late trade corrupt the bar: amendments chain, the emitted versions stay as they were', () => {
    const { clock, agg, closed, amended } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100));
    clock.set(M + 60_000);
    agg.onClock();
    clock.set(M + 60_500);
    agg.onTrade(trade(M + 30_000, 8, 100));
    clock.set(M + 61_000);
    agg.onTrade(trade(M + 59_000, 12, 200));
    expect(closed[0]).toMatchObject({ l: 10, h: 10, v: 100, n: 1, status: 'live' });
    expect(amended.map((a) => [a.previous.n, a.bar.n])).toEqual([
      [1, 2],
      [2, 3],
    ]);
    expect(amended[1]!.previous).toBe(amended[0]!.bar);
    expect(amended[1]!.bar).toMatchObject({ o: 10, h: 12, l: 8, c: 12, v: 400, n: 3 });
    expect(amended[1]!.bar.vw).toBeCloseTo((10 * 100 + 8 * 100 + 12 * 200) / 400, 12);
  });

  it('drops a repeated trade id even when it comes back late, and forgets ids once the bar is final', () => {
    const { clock, agg, amended } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100, 'x1'));
    clock.set(M + 61_000);
    agg.onTrade(trade(M + 1000, 10, 100, 'x1')); // replayed after a reconnect, inside grace
    expect(amended).toEqual([]);
    expect(agg.counters.duplicates).toBe(1);
    clock.set(M + 63_000);
    agg.onTrade(trade(M + 1000, 10, 100, 'x1')); // after grace: too late, whatever its id
    expect(agg.counters).toMatchObject({ duplicates: 1, tooLate: 1 });
  });

  it('keeps only open and recent bars in memory, however long it runs', () => {
    const { clock, agg, closed } = setup();
    for (let m = 0; m < 500; m++) {
      for (let k = 0; k < 20; k++) {
        const ts = M + m * 60_000 + k * 2500;
        clock.set(ts);
        agg.onTrade(trade(ts, 100 + (k % 3), 10, undefined, k % 2 === 0 ? 'NVDA' : 'MSFT'));
      }
      agg.onClock();
      expect(agg.heldBars).toBeLessThanOrEqual(2 * 3);
    }
    clock.set(M + 600 * 60_000);
    agg.onClock();
    expect(closed).toHaveLength(1000);
    expect(agg.heldBars).toBe(0);
  });

  it('records per-field differences and counts matching and mismatching provider bars', () => {
    const { clock, agg, reconciled } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100));
    agg.onTrade(trade(M + 2000, 11, 300));
    clock.set(M + 61_000);
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 11, l: 10, c: 11, v: 400, vw: 10.75, n: 2 }, 'polygon');
    expect(reconciled[0]!.diff).toEqual({ o: 0, h: 0, l: 0, c: 0, v: 0, vw: 0, n: 0 });
    expect(reconciled[0]!.built).toMatchObject({ provider: 'built', v: 400 });
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 11, l: 10, c: 11, v: 450, n: 3 }, 'alpaca');
    expect(reconciled[1]!.diff).toEqual({ o: 0, h: 0, l: 0, c: 0, v: 50, vw: null, n: 1 });
    expect(agg.counters).toMatchObject({ providerBars: 2, providerMatched: 1, providerMismatched: 1, providerOnly: 0 });
  });

  it('a provider bar for a minute we have not closed closes ours first, then reconciles', () => {
    const { clock, agg, closed, reconciled } = setup();
    clock.set(M + 59_000);
    agg.onTrade(trade(M + 58_000, 10));
    clock.set(M + 59_500); // provider's clock is half a second ahead of ours
    const stored = agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 10, l: 10, c: 10, v: 100 }, 'polygon');
    expect(stored).not.toBeNull();
    expect(closed).toHaveLength(1);
    expect(reconciled[0]!.built).toBe(closed[0]);
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed).toHaveLength(1);
  });

  it('once a provider bar owns a minute, late trades for it emit nothing that could overwrite it', () => {
    const { clock, agg, closed, amended, reconciled } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10));
    clock.set(M + 60_300);
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 10.2, l: 10, c: 10.2, v: 150 }, 'alpaca');
    clock.set(M + 61_000);
    agg.onTrade(trade(M + 59_000, 10.2, 50)); // late, inside grace
    expect(amended).toEqual([]);
    expect(agg.counters.lateUnderProvider).toBe(1);
    // A provider bar for a minute we built nothing for: claimed, so a late trade cannot emit a rival bar.
    clock.set(M + 120_200);
    agg.onProviderBar({ symbol: 'NVDA', ts: M + 60_000, o: 11, h: 11, l: 11, c: 11, v: 10 }, 'alpaca');
    expect(reconciled[1]).toMatchObject({ built: null, diff: null });
    agg.onTrade(trade(M + 119_000, 11, 10));
    expect(closed.map((b) => b.ts)).toEqual([M]);
    expect(agg.counters).toMatchObject({ providerOnly: 1, lateUnderProvider: 2, lateNewBar: 0 });
  });

  it('still compares a provider bar that arrives after grace (IBKR rolls up 5-second bars) with ours', () => {
    const { clock, agg, reconciled } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10));
    clock.set(M + 66_000);
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 10, l: 10, c: 10, v: 100, vw: 10, n: 1 }, 'ibkr');
    expect(reconciled[0]!.built).toMatchObject({ ts: M, provider: 'built' });
    clock.set(M + 60_000 + 15_001);
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 10, h: 10, l: 10, c: 10, v: 100 }, 'ibkr');
    expect(reconciled[1]!.built).toBeNull(); // past the reconcile window: forgotten
  });

  it('rejects provider bars with a broken shape, bad optional fields, or for a minute not yet over', () => {
    const { clock, agg, reconciled } = setup();
    clock.set(M + 120_000);
    const ok = { symbol: 'NVDA', ts: M, o: 10, h: 11, l: 9, c: 10, v: 5 };
    expect(agg.onProviderBar({ ...ok, o: 12 }, 'polygon')).toBeNull(); // open above high
    expect(agg.onProviderBar({ ...ok, c: 8 }, 'polygon')).toBeNull(); // close below low
    expect(agg.onProviderBar({ ...ok, l: 0, o: 0 }, 'polygon')).toBeNull();
    expect(agg.onProviderBar({ ...ok, v: -1 }, 'polygon')).toBeNull();
    expect(agg.onProviderBar({ ...ok, vw: Number.NaN }, 'polygon')).toBeNull();
    expect(agg.onProviderBar({ ...ok, n: -1 }, 'polygon')).toBeNull();
    expect(agg.onProviderBar({ ...ok, n: 1.5 }, 'polygon')).toBeNull();
    expect(agg.onProviderBar({ ...ok, ts: M + 120_000 }, 'polygon')).toBeNull(); // its minute is still running
    expect(agg.counters.providerBarsRejected).toBe(8);
    expect(reconciled).toEqual([]);
    expect(agg.onProviderBar({ ...ok, vw: null as unknown as number }, 'polygon')).toMatchObject({ vw: null, n: null });
    expect(agg.counters.providerBars).toBe(1);
  });
});
