import { describe, expect, it } from 'vitest';
import { aggregateBars, bucketStart, CHART_INTERVALS } from '../../../src/main/bars/intervals';
import type { BarStatus, StoredBar } from '../../../src/main/bars/types';
import { fromNewYork } from '../../../src/main/time/newYork';

const MIN = 60_000;

function bar(ts: number, o: number, h: number, l: number, c: number, v = 10, status: BarStatus = 'live'): StoredBar {
  return { symbol: 'NVDA', interval: '1m', ts, o, h, l, c, v, vw: null, n: null, provider: 'built', asOf: ts, status };
}

/** Minute bars every minute in [from, to), price stepping up by 1 from `start`. */
function run(from: number, to: number, start = 100): StoredBar[] {
  const out: StoredBar[] = [];
  for (let ts = from, p = start; ts < to; ts += MIN, p++) out.push(bar(ts, p, p + 0.5, p - 0.5, p + 0.25));
  return out;
}

describe('bucketStart', () => {
  const summer = (h: number, m: number) => fromNewYork(2025, 6, 17, h, m); // Tuesday, EDT
  const winter = (h: number, m: number) => fromNewYork(2025, 1, 14, h, m); // Tuesday, EST

  it('lists the five chart intervals', () => {
    expect(CHART_INTERVALS).toEqual(['1m', '5m', '15m', '1h', '1d']);
  });

  it('aligns 5m and 15m on the New York clock, so 09:30 starts a bucket', () => {
    for (const at of [summer, winter]) {
      expect(bucketStart(at(9, 30), '5m')).toBe(at(9, 30));
      expect(bucketStart(at(9, 34), '5m')).toBe(at(9, 30));
      expect(bucketStart(at(9, 35), '5m')).toBe(at(9, 35));
      expect(bucketStart(at(9, 44), '15m')).toBe(at(9, 30));
      expect(bucketStart(at(9, 45), '15m')).toBe(at(9, 45));
      expect(bucketStart(at(9, 33) + 20_000, '1m')).toBe(at(9, 33));
    }
  });

  it('anchors 1h at 09:30 New York in both EST and EDT, the last session hour being half', () => {
    for (const at of [summer, winter]) {
      expect(bucketStart(at(9, 30), '1h')).toBe(at(9, 30));
      expect(bucketStart(at(10, 29), '1h')).toBe(at(9, 30));
      expect(bucketStart(at(10, 30), '1h')).toBe(at(10, 30));
      expect(bucketStart(at(15, 59), '1h')).toBe(at(15, 30));
      // Extended hours follow the same grid.
      expect(bucketStart(at(9, 10), '1h')).toBe(at(8, 30));
    }
  });

  it('stamps 1d at the regular open of the New York day, pre-market and after-hours included', () => {
    const open = summer(9, 30);
    expect(bucketStart(summer(4, 0), '1d')).toBe(open);
    expect(bucketStart(summer(15, 59), '1d')).toBe(open);
    expect(bucketStart(summer(19, 59), '1d')).toBe(open);
    // 23:30 New York is already the next UTC day, but still this New York day.
    expect(bucketStart(summer(23, 30), '1d')).toBe(open);
    expect(bucketStart(summer(23, 30) + 31 * MIN, '1d')).toBe(fromNewYork(2025, 6, 18, 9, 30));
    // A Saturday (24 h synthetic feed) gets its own bar at 09:30 that day.
    expect(bucketStart(fromNewYork(2025, 6, 21, 12, 0), '1d')).toBe(fromNewYork(2025, 6, 21, 9, 30));
  });
});

describe('aggregateBars', () => {
  const open = fromNewYork(2025, 6, 17, 9, 30);

  it('1m is the minutes themselves', () => {
    const minutes = run(open, open + 3 * MIN);
    expect(aggregateBars(minutes, '1m')).toEqual(
      minutes.map((b) => ({ ts: b.ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, status: 'live' })),
    );
  });

  it('folds OHLCV: first open, max high, min low, last close, summed volume', () => {
    const minutes = [
      bar(open, 10, 11, 9, 10.5, 5),
      bar(open + MIN, 10.5, 13, 10, 12, 7),
      bar(open + 2 * MIN, 12, 12.5, 8, 9, 3),
      bar(open + 5 * MIN, 9, 9.5, 8.5, 9.2, 1),
    ];
    expect(aggregateBars(minutes, '5m')).toEqual([
      { ts: open, o: 10, h: 13, l: 8, c: 9, v: 15, status: 'live' },
      { ts: open + 5 * MIN, o: 9, h: 9.5, l: 8.5, c: 9.2, v: 1, status: 'live' },
    ]);
  });

  it('builds one full session into 78 5m, 26 15m, 7 1h and 1 1d bar', () => {
    const session = run(open, fromNewYork(2025, 6, 17, 16, 0));
    expect(session).toHaveLength(390);
    expect(aggregateBars(session, '5m')).toHaveLength(78);
    expect(aggregateBars(session, '15m')).toHaveLength(26);
    const hours = aggregateBars(session, '1h');
    expect(hours.map((h) => h.ts)).toEqual([0, 1, 2, 3, 4, 5, 6].map((i) => open + i * 60 * MIN));
    expect(hours[6]).toMatchObject({ o: 460, c: 489.25, v: 300 }); // 15:30–16:00: 30 minutes
    const days = aggregateBars(session, '1d');
    expect(days).toEqual([{ ts: open, o: 100, h: 489.5, l: 99.5, c: 489.25, v: 3900, status: 'live' }]);
  });

  it('splits days on the New York date and stamps an early-close day at its open', () => {
    // 2025-11-28: the day after Thanksgiving closes at 13:00.
    const friday = fromNewYork(2025, 11, 28, 9, 30);
    const monday = fromNewYork(2025, 12, 1, 9, 30);
    const days = aggregateBars([...run(friday, friday + 3 * MIN), ...run(monday, monday + 2 * MIN)], '1d');
    expect(days.map((d) => d.ts)).toEqual([friday, monday]);
  });

  it('marks a bucket backfilled if any member is, else amended if any is, else live', () => {
    const minutes = [
      bar(open, 1, 1, 1, 1, 1, 'live'),
      bar(open + MIN, 1, 1, 1, 1, 1, 'backfilled'),
      bar(open + 2 * MIN, 1, 1, 1, 1, 1, 'amended'),
      bar(open + 5 * MIN, 1, 1, 1, 1, 1, 'amended'),
      bar(open + 6 * MIN, 1, 1, 1, 1, 1, 'live'),
      bar(open + 10 * MIN, 1, 1, 1, 1, 1, 'live'),
    ];
    expect(aggregateBars(minutes, '5m').map((b) => b.status)).toEqual(['backfilled', 'amended', 'live']);
  });

  it('skips missing minutes without inventing bars', () => {
    const minutes = [...run(open, open + 2 * MIN), ...run(open + 20 * MIN, open + 21 * MIN)];
    expect(aggregateBars(minutes, '5m').map((b) => b.ts)).toEqual([open, open + 20 * MIN]);
  });

  it('for 1d, stored daily bars stand in for days without minutes; minutes win where both exist', () => {
    const daily = (ts: number, c: number): StoredBar => ({
      ...bar(ts, c, c, c, c, 1000, 'backfilled'),
      interval: '1d',
    });
    const before = fromNewYork(2025, 6, 16, 9, 30);
    const out = aggregateBars(run(open, open + 2 * MIN), '1d', [daily(before, 50), daily(open, 60)]);
    expect(out).toEqual([
      { ts: before, o: 50, h: 50, l: 50, c: 50, v: 1000, status: 'backfilled' },
      { ts: open, o: 100, h: 101.5, l: 99.5, c: 101.25, v: 20, status: 'live' },
    ]);
  });

  it('returns nothing for no minutes', () => {
    expect(aggregateBars([], '1h')).toEqual([]);
  });
});
