import { describe, expect, it } from 'vitest';
import { SimulatedClock } from '../../../src/main/clock';
import { IbkrCrossCheck, type Divergence } from '../../../src/main/marketdata/crossCheck';

function setup(connected = true) {
  const clock = new SimulatedClock(1_000_000);
  const seen: Divergence[] = [];
  let isConnected = connected;
  const check = new IbkrCrossCheck(
    clock,
    () => isConnected,
    (d) => seen.push(d),
  );
  return { clock, seen, check, disconnect: () => (isConnected = false) };
}

describe('IBKR cross-check', () => {
  it('raises a divergence beyond 0.1% and not within it', () => {
    const { check, seen } = setup();
    check.observe('ibkr', 'NVDA', 100);
    check.observe('polygon', 'NVDA', 100.1); // exactly 10 bps: within
    expect(seen).toEqual([]);
    check.observe('polygon', 'NVDA', 100.11);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ symbol: 'NVDA', provider: 'polygon', ibkrPrice: 100, price: 100.11 });
    expect(seen[0]!.diffBps).toBeCloseTo(11, 6);
  });

  it('ignores stale IBKR prices, a disconnected IBKR, and repeats within a minute', () => {
    const { check, seen, clock, disconnect } = setup();
    check.observe('ibkr', 'MSFT', 400);
    clock.advance(2500);
    check.observe('finnhub', 'MSFT', 410);
    expect(seen).toEqual([]);
    check.observe('ibkr', 'MSFT', 400);
    check.observe('finnhub', 'MSFT', 410);
    check.observe('finnhub', 'MSFT', 411);
    expect(seen).toHaveLength(1);
    clock.advance(60_000);
    check.observe('ibkr', 'MSFT', 400);
    check.observe('finnhub', 'MSFT', 410);
    expect(seen).toHaveLength(2);
    disconnect();
    clock.advance(60_000);
    check.observe('ibkr', 'MSFT', 400);
    check.observe('finnhub', 'MSFT', 500);
    expect(seen).toHaveLength(2);
  });
});
