import { describe, expect, it } from 'vitest';
import {
  matchOrders,
  ordersFromFills,
  parityBySymbol,
  replayToday,
  todayRange,
  TOLERANCE_MS,
  type ParityOrder,
} from '../../../src/main/backtest/replayToday';
import { SimulatedClock } from '../../../src/main/clock';
import { fromNewYork } from '../../../src/main/time/newYork';
import type { Fill } from '../../../src/shared/domain';

const T0 = fromNewYork(2026, 3, 10, 10, 0);
const MIN = 60_000;
const order = (side: 'BUY' | 'SELL', ts: number, price: number): ParityOrder => ({
  symbol: 'NVDA',
  side,
  qty: 10,
  price,
  ts,
});
const fill = (
  clientOrderId: string,
  side: 'BUY' | 'SELL',
  ts: number,
  price: number,
  quantity = 10,
  mode: 'shadow' | 'live' = 'shadow',
  symbol = 'NVDA',
): Fill => ({
  execId: `${clientOrderId}-${ts}`,
  clientOrderId,
  mode,
  symbol,
  side,
  quantity,
  price,
  commission: 1,
  ts,
});

describe('replay today: parity', () => {
  it('merges partial fills into one decision at their VWAP and first time', () => {
    const o = ordersFromFills([fill('a', 'BUY', T0 + 2_000, 101, 30), fill('a', 'BUY', T0 + 1_000, 100, 10)]);
    expect(o).toEqual([{ symbol: 'NVDA', side: 'BUY', qty: 40, price: (100 * 10 + 101 * 30) / 40, ts: T0 + 1_000 }]);
  });

  it('matches by side within the tolerance, signs bps so that worse is positive, and counts the rest', () => {
    const replay = [order('BUY', T0, 100), order('SELL', T0 + 30 * MIN, 110), order('BUY', T0 + 60 * MIN, 100)];
    const actual = [
      order('BUY', T0 + 20_000, 100.1), // paid 10 bps more: worse
      order('SELL', T0 + 31 * MIN, 110.11), // sold 10 bps higher: better
      order('SELL', T0 + 62 * MIN, 100), // nothing in the replay sold then
    ];
    const side = matchOrders(replay, actual);
    expect(side.fills).toBe(3);
    expect(side.matched).toBe(2);
    expect(side.avgPriceDiffBps).toBeCloseTo((10 - 10) / 2, 6);
    expect(side.missing).toBe(1);
    expect(side.extra).toBe(1);
  });

  it('does not match outside the tolerance or on the other side', () => {
    const r = [order('BUY', T0, 100)];
    expect(matchOrders(r, [order('BUY', T0 + TOLERANCE_MS + 1, 100)]).matched).toBe(0);
    expect(matchOrders(r, [order('SELL', T0, 100)]).matched).toBe(0);
    expect(matchOrders(r, [])).toEqual({ fills: 0, matched: 0, avgPriceDiffBps: null, missing: 1, extra: 0 });
  });

  it('reports shadow and live separately per symbol', () => {
    const out = parityBySymbol(
      [
        { symbol: 'NVDA', bars: 390 },
        { symbol: 'MSFT', bars: 12 },
      ],
      [fill('bt-1', 'BUY', T0, 100)],
      [fill('s-1', 'BUY', T0 + 5_000, 100.2), fill('l-1', 'BUY', T0 + 6_000, 100.5, 10, 'live')],
    );
    expect(out[0]).toMatchObject({ symbol: 'NVDA', bars: 390, replayFills: 1 });
    expect(out[0]!.shadow.avgPriceDiffBps).toBeCloseTo(20, 6);
    expect(out[0]!.live.avgPriceDiffBps).toBeCloseTo(50, 6);
    expect(out[1]).toMatchObject({ symbol: 'MSFT', replayFills: 0, shadow: { fills: 0, extra: 0 } });
  });

  it('replays only symbols with bars today, and only today’s fills count', async () => {
    const now = fromNewYork(2026, 3, 10, 11, 30) + 15_000;
    const { from, to, day } = todayRange(now);
    expect(day).toBe('2026-03-10');
    expect(from).toBe(fromNewYork(2026, 3, 10));
    expect(to).toBe(fromNewYork(2026, 3, 10, 11, 30));
    const asked: unknown[] = [];
    const report = await replayToday({
      clock: new SimulatedClock(now),
      dataDir: '/data',
      symbols: () => ['NVDA', 'MSFT'],
      countBars: (s) => (s === 'NVDA' ? 90 : 0),
      fills: () => [fill('y', 'BUY', from - MIN, 99), fill('s', 'BUY', T0 + 1_000, 100)],
      run: (params) => {
        asked.push(params);
        return Promise.resolve({
          status: 'done',
          // Only what replayToday reads of the result.
          result: {
            fills: [
              {
                execId: 'e',
                clientOrderId: 'bt',
                symbol: 'NVDA',
                side: 'BUY',
                quantity: 5,
                price: 100,
                fee: 1,
                ts: T0,
              },
            ],
            fillModel: { name: 'next-open, 1 bps, IB fixed' },
            gaps: [],
          } as never,
          summary: {} as never,
        });
      },
      threshold: 0.7,
    });
    expect(asked).toEqual([
      expect.objectContaining({
        source: { kind: 'sqlite', dataDir: '/data' },
        symbols: ['NVDA'],
        interval: '1m',
        from,
        to,
        allowGaps: true,
        threshold: 0.7,
      }),
    ]);
    expect(report.symbols).toHaveLength(1);
    expect(report.symbols[0]!.shadow).toMatchObject({ fills: 1, matched: 1, missing: 0, extra: 0 });
    expect(report.notes.join('\n')).toMatch(/MSFT: no stored 1m bars today/);
    expect(report.fillModel).toBe('next-open, 1 bps, IB fixed');
  });

  it('runs nothing when no symbol has bars today', async () => {
    const report = await replayToday({
      clock: new SimulatedClock(T0),
      dataDir: '/data',
      symbols: () => ['NVDA'],
      countBars: () => 0,
      fills: () => [],
      run: () => Promise.reject(new Error('must not run')),
    });
    expect(report.symbols).toEqual([]);
    expect(report.notes).toEqual(['NVDA: no stored 1m bars today']);
  });
});
