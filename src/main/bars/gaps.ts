/**
 * Gap detection for 1-minute bars: which regular-session minutes have no stored bar.
 *
 * Pure functions over the market calendar. Closed time (nights, weekends, holidays, the hours
 * after an early close) is never a gap because only calendar.regularMinutes() is walked.
 */
import { regularMinutes, sessionForDay } from '../marketdata/calendar';

const MS_MIN = 60_000;

/** A run of missing regular-session minutes: bar opens in [fromTs, toTs), toTs exclusive. */
export interface GapRange {
  fromTs: number;
  toTs: number;
  minutes: number;
}

/**
 * Maximal runs of regular-session minutes in [fromTs, toTs) that have no timestamp.
 * `timestamps` are stored 1m bar open times, ascending. A run never spans closed time: minutes of
 * two sessions are never consecutive, so runs split at every close.
 */
export function findMinuteGaps(timestamps: readonly number[], fromTs: number, toTs: number): GapRange[] {
  const gaps: GapRange[] = [];
  let current: GapRange | null = null;
  let j = 0;
  for (const minute of regularMinutes(fromTs, toTs)) {
    while (j < timestamps.length && timestamps[j]! < minute) j++;
    if (j < timestamps.length && timestamps[j] === minute) {
      current = null;
      continue;
    }
    if (current && current.toTs === minute) {
      current.toTs = minute + MS_MIN;
      current.minutes++;
    } else {
      current = { fromTs: minute, toTs: minute + MS_MIN, minutes: 1 };
      gaps.push(current);
    }
  }
  return gaps;
}

/**
 * closed: no regular session that day. pending: the session has not opened yet (as of `now`).
 * complete: every elapsed minute has a bar. partial: some missing. empty: no bar at all.
 */
export type DayGapStatus = 'closed' | 'pending' | 'complete' | 'partial' | 'empty';

export interface DayGapState {
  /** New York trading date, 'YYYY-MM-DD'. */
  date: string;
  /** Regular minutes that should have a bar by `now` (all of them once the session closed). */
  expectedMinutes: number;
  /** Of those, how many have a stored bar. */
  haveMinutes: number;
  missing: GapRange[];
  status: DayGapStatus;
}

/**
 * Gap state of one New York day. Only minutes that have fully elapsed by `now` are expected:
 * the bar opening at `now`'s minute is still forming, so it cannot be missing yet.
 */
export function dayGapState(date: string, timestamps: readonly number[], now: number): DayGapState {
  const session = sessionForDay(date);
  if (!session) return { date, expectedMinutes: 0, haveMinutes: 0, missing: [], status: 'closed' };
  // A bar opening at t closes at t + 1 min, so every open before now's minute has closed.
  const end = Math.min(session.close, Math.floor(now / MS_MIN) * MS_MIN);
  if (end <= session.open) return { date, expectedMinutes: 0, haveMinutes: 0, missing: [], status: 'pending' };
  const missing = findMinuteGaps(timestamps, session.open, end);
  const expectedMinutes = Math.round((end - session.open) / MS_MIN);
  const missingMinutes = missing.reduce((sum, g) => sum + g.minutes, 0);
  const haveMinutes = expectedMinutes - missingMinutes;
  const status: DayGapStatus = missingMinutes === 0 ? 'complete' : haveMinutes === 0 ? 'empty' : 'partial';
  return { date, expectedMinutes, haveMinutes, missing, status };
}
