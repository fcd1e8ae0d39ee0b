import { describe, expect, it } from 'vitest';
import { BarAggregator } from '../../../src/main/bars/aggregator';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import type { Trade } from '../../../src/shared/domain';

const M = Date.UTC(2026, 10, 20, 15, 0); // a minute boundary

function setup() {
  const clock = new SimulatedClock(M);
  const closed: StoredBar[] = [];
  const agg = new BarAggregator(clock, { closed: (b) => closed.push(b), amended: () => {}, reconciled: () => {} });
  return { clock, agg, closed };
}

let seq = 0;
const trade = (ts: number, price: number, size = 100, symbol = 'NVDA'): Trade => ({
  symbol,
  ts,
  price,
  size,
  id: String(++seq),
  provider: 'polygon',
});

describe('BarAggregator.forming', () => {
  it('is null before any trade and for unknown symbols', () => {
    const { agg } = setup();
    expect(agg.forming('NVDA')).toBeNull();
    agg.onTrade(trade(M + 1000, 10));
    expect(agg.forming('MSFT')).toBeNull();
  });

  it('shows the open bar as it would close now, moving with every trade', () => {
    const { clock, agg, closed } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10, 100));
    expect(agg.forming('NVDA')).toMatchObject({ ts: M, o: 10, h: 10, l: 10, c: 10, v: 100, n: 1, status: 'live' });
    clock.set(M + 2000);
    agg.onTrade(trade(M + 2000, 12, 50));
    agg.onTrade(trade(M + 2500, 9, 50));
    expect(agg.forming('NVDA')).toMatchObject({ ts: M, o: 10, h: 12, l: 9, c: 9, v: 200, n: 3, asOf: M + 2000 });
    // Reading it changes nothing: no bar closes, the next close still has every trade.
    expect(closed).toHaveLength(0);
    clock.set(M + 60_000);
    agg.onClock();
    expect(closed).toHaveLength(1);
    expect(closed[0]).toMatchObject({ o: 10, h: 12, l: 9, c: 9, v: 200 });
  });

  it('is null once the minute closed, and becomes the next minute with its first trade', () => {
    const { clock, agg } = setup();
    clock.set(M + 1000);
    agg.onTrade(trade(M + 1000, 10));
    clock.set(M + 60_500);
    agg.onClock();
    expect(agg.forming('NVDA')).toBeNull();
    agg.onTrade(trade(M + 60_400, 11));
    expect(agg.forming('NVDA')).toMatchObject({ ts: M + 60_000, o: 11 });
  });

  it('is null when a provider bar takes the minute before it ends', () => {
    const { clock, agg } = setup();
    clock.set(M + 61_000);
    agg.onTrade(trade(M + 60_500, 10));
    expect(agg.forming('NVDA')?.ts).toBe(M + 60_000);
    // The provider's bar for the previous minute leaves the open one alone.
    agg.onProviderBar({ symbol: 'NVDA', ts: M, o: 1, h: 1, l: 1, c: 1, v: 1 }, 'polygon');
    expect(agg.forming('NVDA')?.ts).toBe(M + 60_000);
    // Clocks differ: the provider's bar may arrive up to 2 s before our minute ends.
    clock.set(M + 118_500);
    expect(agg.forming('NVDA')?.ts).toBe(M + 60_000);
    agg.onProviderBar({ symbol: 'NVDA', ts: M + 60_000, o: 1, h: 1, l: 1, c: 1, v: 1 }, 'polygon');
    expect(agg.forming('NVDA')).toBeNull();
  });
});
