import { describe, expect, it } from 'vitest';
import { fromNewYork, nyDateKey, nyMinuteOfDay, nyOffsetMs, toNewYork } from '../../src/main/time/newYork';

const intl = new Intl.DateTimeFormat('en-US', {
  timeZone: 'America/New_York',
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  weekday: 'short',
});
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

function viaIntl(ts: number) {
  const p = Object.fromEntries(intl.formatToParts(ts).map((x) => [x.type, x.value]));
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    weekday: WEEKDAYS.indexOf(p.weekday!),
  };
}

describe('New York time', () => {
  it('matches Intl at every half hour from 2000 to 2030', () => {
    let mismatches = 0;
    for (let ts = Date.UTC(2000, 0, 1); ts < Date.UTC(2031, 0, 1); ts += 1_800_000) {
      const ours = toNewYork(ts);
      const ref = viaIntl(ts);
      if (
        ours.year !== ref.year ||
        ours.month !== ref.month ||
        ours.day !== ref.day ||
        ours.hour !== ref.hour ||
        ours.minute !== ref.minute ||
        ours.weekday !== ref.weekday
      )
        mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('switches offset exactly at the DST boundaries (2026: Mar 8 and Nov 1)', () => {
    const start = Date.UTC(2026, 2, 8, 7);
    expect(nyOffsetMs(start - 1)).toBe(-5 * 3_600_000);
    expect(nyOffsetMs(start)).toBe(-4 * 3_600_000);
    const end = Date.UTC(2026, 10, 1, 6);
    expect(nyOffsetMs(end - 1)).toBe(-4 * 3_600_000);
    expect(nyOffsetMs(end)).toBe(-5 * 3_600_000);
  });

  it('round-trips wall-clock times and gives minute-of-day and date keys', () => {
    const open = fromNewYork(2025, 3, 3, 9, 30);
    expect(open).toBe(1741012200000); // the fixture's first bar: 2025-03-03 09:30 ET
    expect(nyMinuteOfDay(open)).toBe(570);
    expect(nyDateKey(open)).toBe('2025-03-03');
    const summer = fromNewYork(2025, 7, 3, 13, 0);
    expect(new Date(summer).toISOString()).toBe('2025-07-03T17:00:00.000Z');
  });
});
