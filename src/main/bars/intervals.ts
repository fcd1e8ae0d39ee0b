/**
 * Chart intervals aggregated from stored 1-minute bars. Pure functions: no store, no clock.
 *
 * Buckets (all bars of the NY day count, extended hours included, so a 24 h synthetic feed charts too):
 *   - 5m, 15m: clock-aligned (New York offsets are whole hours, so UTC alignment is NY alignment and
 *     09:30 starts a bucket);
 *   - 1h: anchored at 09:30 New York, so the regular session reads 09:30, 10:30 … 15:30 (the last
 *     one is half an hour, as on every US equity chart);
 *   - 1d: one bar per New York calendar day, stamped at that day's regular open (the same ts as
 *     stored daily bars, see dailyBarTs); days the calendar knows nothing about (weekends with a
 *     24 h synthetic feed, dates outside 2000–2030) are stamped at 09:30 New York that day.
 *
 * Status of an aggregated bar: `backfilled` if any member minute was backfilled (the bucket is not
 * purely live data, and the trader should see that), else `amended` if any member was amended,
 * else `live`.
 */
import { ChartInterval as ChartIntervalSchema, type ChartInterval } from '../../shared/domain';
import { sessionForDay, CALENDAR_FIRST_DAY, CALENDAR_LAST_DAY } from '../marketdata/calendar';
import { fromNewYork, nyDateKey, nyOffsetMs } from '../time/newYork';
import type { BarStatus, StoredBar } from './types';

export type { ChartInterval };
export const CHART_INTERVALS: readonly ChartInterval[] = ChartIntervalSchema.options;

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const HALF_HOUR = 30 * MIN;

/** Nominal length of a bucket; 1d is a calendar day (used for look-back windows, not bucketing). */
export const INTERVAL_MS: Record<ChartInterval, number> = {
  '1m': MIN,
  '5m': 5 * MIN,
  '15m': 15 * MIN,
  '1h': HOUR,
  '1d': DAY,
};

/** One chart bar: OHLCV of a bucket, stamped at the bucket's start. */
export interface AggregatedBar {
  ts: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  status: BarStatus;
}

/** Start of the bucket that holds the minute bar opened at `ts`. */
export function bucketStart(ts: number, interval: ChartInterval): number {
  switch (interval) {
    case '1m':
      return ts - mod(ts, MIN);
    case '5m':
    case '15m': {
      const size = INTERVAL_MS[interval];
      return ts - mod(ts, size);
    }
    case '1h':
      return ts - mod(ts - HALF_HOUR, HOUR);
    case '1d':
      return dayBucket(ts);
  }
}

/** The New York day number of the last dayBucket lookup and its answer: bars come in ts order. */
let lastDay = NaN;
let lastDayTs = 0;

function dayBucket(ts: number): number {
  const day = Math.floor((ts + nyOffsetMs(ts)) / DAY);
  if (day === lastDay) return lastDayTs;
  const key = nyDateKey(ts);
  const session = key >= CALENDAR_FIRST_DAY && key <= CALENDAR_LAST_DAY ? sessionForDay(key) : null;
  lastDayTs =
    session?.open ?? fromNewYork(Number(key.slice(0, 4)), Number(key.slice(5, 7)), Number(key.slice(8, 10)), 9, 30);
  lastDay = day;
  return lastDayTs;
}

function mod(a: number, m: number): number {
  return ((a % m) + m) % m;
}

const STATUS_RANK: Record<BarStatus, number> = { live: 0, amended: 1, backfilled: 2 };

/**
 * Folds 1-minute bars (oldest first, one per ts) into buckets of `interval`. For 1d, stored daily
 * bars (`daily`, e.g. the bundled index dataset or an imported file) stand for days that have no
 * minute bars; a day with minute bars is built from them so today's bar moves live.
 */
export function aggregateBars(
  minutes: readonly StoredBar[],
  interval: ChartInterval,
  daily: readonly StoredBar[] = [],
): AggregatedBar[] {
  const out: AggregatedBar[] = [];
  let cur: AggregatedBar | null = null;
  for (const b of minutes) {
    const ts = bucketStart(b.ts, interval);
    if (cur !== null && cur.ts === ts) {
      if (b.h > cur.h) cur.h = b.h;
      if (b.l < cur.l) cur.l = b.l;
      cur.c = b.c;
      cur.v += b.v;
      if (STATUS_RANK[b.status] > STATUS_RANK[cur.status]) cur.status = b.status;
    } else {
      cur = { ts, o: b.o, h: b.h, l: b.l, c: b.c, v: b.v, status: b.status };
      out.push(cur);
    }
  }
  if (interval !== '1d' || daily.length === 0) return out;
  const built = new Set(out.map((b) => b.ts));
  for (const d of daily) {
    if (!built.has(d.ts)) out.push({ ts: d.ts, o: d.o, h: d.h, l: d.l, c: d.c, v: d.v, status: d.status });
  }
  return out.sort((a, b) => a.ts - b.ts);
}
