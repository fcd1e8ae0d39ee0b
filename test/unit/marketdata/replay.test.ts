import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Bar } from '../../../src/shared/domain';
import { SimulatedClock } from '../../../src/main/clock';
import type { MarketEvent, StreamStatus } from '../../../src/main/marketdata/provider';
import { ReplayProvider } from '../../../src/main/marketdata/providers/replay';

const T0 = Date.UTC(2025, 2, 3, 14, 30);
const bar = (symbol: string, i: number): Bar => ({
  symbol,
  ts: T0 + i * 60_000,
  o: 10 + i,
  h: 11 + i,
  l: 9 + i,
  c: 10.5 + i,
  v: 100,
});

afterEach(() => vi.useRealTimers());

describe('replay provider', () => {
  it('plays bars at the chosen speed with their original timestamps, only for subscribed symbols', async () => {
    vi.useFakeTimers();
    const clock = new SimulatedClock(1_000_000);
    const bars = [bar('NVDA', 1), bar('NVDA', 0), bar('MSFT', 0), bar('NVDA', 2)];
    const replay = new ReplayProvider({ bars, clock, speed: 60, tickMs: 100 });
    const events: MarketEvent[] = [];
    const statuses: StreamStatus[] = [];
    const sub = replay.stream(['NVDA'], {
      onEvent: (e) => events.push(e),
      onStatus: (s) => statuses.push(s),
      onMalformed: () => {},
    });
    expect(statuses).toEqual([{ state: 'connected' }]);
    // 1 s of wall time = 60 s of data: only the first minute bar has closed.
    clock.advance(1000);
    vi.advanceTimersByTime(100);
    expect(events.map((e) => (e.type === 'bar' ? e.bar.ts : 0))).toEqual([T0]);
    clock.advance(2000);
    vi.advanceTimersByTime(100);
    expect(events.map((e) => (e.type === 'bar' ? [e.bar.symbol, e.bar.ts, e.bar.provider] : null))).toEqual([
      ['NVDA', T0, 'replay'],
      ['NVDA', T0 + 60_000, 'replay'],
      ['NVDA', T0 + 120_000, 'replay'],
    ]);
    await sub.close();
  });

  it('serves the same bars as history, filtered to [from, to)', async () => {
    const replay = new ReplayProvider({
      bars: [bar('NVDA', 0), bar('NVDA', 1), bar('MSFT', 1)],
      clock: new SimulatedClock(0),
      speed: 1,
    });
    const r = await replay.historicalBars('NVDA', T0 + 60_000, T0 + 120_000);
    expect(r).toMatchObject({ kind: 'ok', value: [{ symbol: 'NVDA', ts: T0 + 60_000 }] });
  });

  it('refuses a non-positive speed and an interval other than a minute or a day', () => {
    expect(() => new ReplayProvider({ bars: [], clock: new SimulatedClock(0), speed: 0 })).toThrow(/speed/);
    const clock = new SimulatedClock(0);
    expect(() => new ReplayProvider({ bars: [], clock, speed: 1, intervalMs: 300_000 })).toThrow(/minute .* or daily/);
  });

  it('plays daily bars a day at a time, loaded lazily, labelled 1d, and offers no minute history', async () => {
    vi.useFakeTimers();
    const clock = new SimulatedClock(0);
    const DAY = 86_400_000;
    const day = (i: number): Bar => ({ ...bar('SPX', 0), ts: T0 + i * DAY });
    let loads = 0;
    const replay = new ReplayProvider({
      bars: () => {
        loads++;
        return [day(0), day(1), day(2)];
      },
      clock,
      speed: 86_400, // a day of data per second
      intervalMs: DAY,
      tickMs: 100,
    });
    expect(loads).toBe(0);
    expect(replay.capabilities.historicalBars).toBe(false);
    const events: MarketEvent[] = [];
    const sub = replay.stream(['SPX'], { onEvent: (e) => events.push(e), onStatus: () => {}, onMalformed: () => {} });
    clock.advance(2000);
    vi.advanceTimersByTime(100);
    expect(events.map((e) => (e.type === 'bar' ? [e.bar.ts, e.bar.interval] : null))).toEqual([
      [T0, '1d'],
      [T0 + DAY, '1d'],
    ]);
    expect(loads).toBe(1);
    expect(await replay.historicalBars('SPX', 0, T0 + 3 * DAY)).toMatchObject({ kind: 'down' });
    await sub.close();
  });
});
