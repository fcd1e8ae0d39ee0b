/**
 * Gap detection over the NYSE calendar: only regular-session minutes can be missing; nights,
 * weekends, holidays and the hours after an early close never are.
 */
import { describe, expect, it } from 'vitest';
import { dayGapState, findMinuteGaps } from '../../../src/main/bars/gaps';
import { regularMinutes, sessionForDay } from '../../../src/main/marketdata/calendar';
import { fromNewYork } from '../../../src/main/time/newYork';

const MIN = 60_000;
const ny = (y: number, m: number, d: number, h = 0, min = 0) => fromNewYork(y, m, d, h, min);
/** Every regular minute in [from, to): a complete stored history. */
const full = (from: number, to: number) => [...regularMinutes(from, to)];

describe('findMinuteGaps', () => {
  it('finds a mid-session hole as one range with its minute count', () => {
    const open = ny(2024, 3, 12, 9, 30);
    const close = ny(2024, 3, 12, 16);
    const holeFrom = ny(2024, 3, 12, 11, 0);
    const holeTo = ny(2024, 3, 12, 11, 7);
    const ts = full(open, close).filter((t) => t < holeFrom || t >= holeTo);
    expect(findMinuteGaps(ts, open, close)).toEqual([{ fromTs: holeFrom, toTs: holeTo, minutes: 7 }]);
  });

  it('finds separate holes separately, and nothing when complete', () => {
    const open = ny(2024, 3, 12, 9, 30);
    const close = ny(2024, 3, 12, 16);
    const a = ny(2024, 3, 12, 10);
    const b = ny(2024, 3, 12, 15, 59);
    const ts = full(open, close).filter((t) => t !== a && t !== b);
    expect(findMinuteGaps(ts, open, close)).toEqual([
      { fromTs: a, toTs: a + MIN, minutes: 1 },
      { fromTs: b, toTs: b + MIN, minutes: 1 },
    ]);
    expect(findMinuteGaps(full(open, close), open, close)).toEqual([]);
  });

  it('never flags overnight: a complete day then nothing until the next open is no gap', () => {
    const from = ny(2024, 3, 12, 9, 30);
    const to = ny(2024, 3, 13, 9, 30);
    expect(findMinuteGaps(full(from, ny(2024, 3, 12, 16)), from, to)).toEqual([]);
  });

  it('never flags a weekend, and splits a missing Friday and Monday at the close', () => {
    const friOpen = ny(2024, 3, 15, 9, 30);
    const monClose = ny(2024, 3, 18, 16);
    // Friday and Monday stored, the weekend empty: no gap at all.
    const stored = [...full(friOpen, ny(2024, 3, 15, 16)), ...full(ny(2024, 3, 18, 9, 30), monClose)];
    expect(findMinuteGaps(stored, friOpen, monClose)).toEqual([]);
    // Nothing stored: two ranges, one per session, none on Saturday or Sunday.
    const gaps = findMinuteGaps([], friOpen, monClose);
    expect(gaps).toEqual([
      { fromTs: friOpen, toTs: ny(2024, 3, 15, 16), minutes: 390 },
      { fromTs: ny(2024, 3, 18, 9, 30), toTs: monClose, minutes: 390 },
    ]);
  });

  it('never flags a holiday (Independence Day 2024) and stops at an early close (July 3, 13:00)', () => {
    const from = ny(2024, 7, 3, 0);
    const to = ny(2024, 7, 5, 23);
    const gaps = findMinuteGaps([], from, to);
    expect(gaps).toEqual([
      { fromTs: ny(2024, 7, 3, 9, 30), toTs: ny(2024, 7, 3, 13), minutes: 210 },
      { fromTs: ny(2024, 7, 5, 9, 30), toTs: ny(2024, 7, 5, 16), minutes: 390 },
    ]);
    // With both sessions stored, the afternoon of July 3 and all of July 4 are not gaps.
    const stored = [
      ...full(ny(2024, 7, 3, 9, 30), ny(2024, 7, 3, 13)),
      ...full(ny(2024, 7, 5, 9, 30), ny(2024, 7, 5, 16)),
    ];
    expect(findMinuteGaps(stored, from, to)).toEqual([]);
  });

  it('ignores bars outside regular hours (pre-market, after-hours) when judging gaps', () => {
    const from = ny(2024, 3, 12, 4);
    const to = ny(2024, 3, 12, 20);
    const stored = [ny(2024, 3, 12, 8), ...full(ny(2024, 3, 12, 9, 30), ny(2024, 3, 12, 16)), ny(2024, 3, 12, 17)];
    expect(findMinuteGaps(stored, from, to)).toEqual([]);
  });

  it('clips a range that starts mid-session', () => {
    const from = ny(2024, 3, 12, 15, 58);
    expect(findMinuteGaps([], from, ny(2024, 3, 13))).toEqual([
      { fromTs: from, toTs: ny(2024, 3, 12, 16), minutes: 2 },
    ]);
  });
});

describe('dayGapState', () => {
  it('reports a closed day, a pending day and a partial session so far', () => {
    expect(dayGapState('2024-07-04', [], ny(2024, 7, 5)).status).toBe('closed');
    expect(dayGapState('2024-03-16', [], ny(2024, 3, 17)).status).toBe('closed');
    expect(dayGapState('2024-03-12', [], ny(2024, 3, 12, 9)).status).toBe('pending');
    // At 10:00:30, the bars of 09:30..09:59 are due (30 of them); 09:40 is missing.
    const now = ny(2024, 3, 12, 10) + 30_000;
    const open = sessionForDay('2024-03-12')!.open;
    const ts = full(open, ny(2024, 3, 12, 10)).filter((t) => t !== ny(2024, 3, 12, 9, 40));
    const s = dayGapState('2024-03-12', ts, now);
    expect(s).toMatchObject({ expectedMinutes: 30, haveMinutes: 29, status: 'partial' });
    expect(s.missing).toEqual([{ fromTs: ny(2024, 3, 12, 9, 40), toTs: ny(2024, 3, 12, 9, 41), minutes: 1 }]);
  });

  it('expects 210 minutes on an early-close day and 390 on a full one', () => {
    expect(dayGapState('2024-07-03', [], ny(2024, 7, 4))).toMatchObject({ expectedMinutes: 210, status: 'empty' });
    const open = ny(2024, 3, 12, 9, 30);
    const s = dayGapState('2024-03-12', full(open, ny(2024, 3, 12, 16)), ny(2024, 3, 13));
    expect(s).toMatchObject({ expectedMinutes: 390, haveMinutes: 390, status: 'complete', missing: [] });
  });
});
