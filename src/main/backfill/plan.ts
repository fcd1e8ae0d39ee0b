/**
 * From gaps to backfill jobs. One job covers the missing minutes of one session day (a bounded
 * request: at most 390 bars), spanning from the first to the last missing minute so that a day
 * with many small holes costs one provider request, not one per hole. Ranges already covered by a
 * job in any state are left out: a gap seen at a bar close and again at a sweep is queued once, a
 * dead job is not silently recreated, and minutes a provider had no bar for are not asked again.
 */
import type { GapRange } from '../bars/gaps';
import { countRegularMinutes } from '../marketdata/calendar';
import { nyDateKey } from '../time/newYork';

export interface JobRange {
  fromTs: number;
  toTs: number;
}

/** [from, to) minus every interval in `taken` (any order, may overlap). */
export function subtractRanges(from: number, to: number, taken: readonly (readonly [number, number])[]): JobRange[] {
  const sorted = [...taken].filter(([a, b]) => b > from && a < to).sort((x, y) => x[0] - y[0]);
  const out: JobRange[] = [];
  let cursor = from;
  for (const [a, b] of sorted) {
    if (a > cursor) out.push({ fromTs: cursor, toTs: Math.min(a, to) });
    cursor = Math.max(cursor, b);
    if (cursor >= to) break;
  }
  if (cursor < to) out.push({ fromTs: cursor, toTs: to });
  return out;
}

/**
 * Job ranges for `gaps` (ascending, as findMinuteGaps returns them), one per session day and
 * free part, trimmed to missing minutes, skipping what `taken` already covers.
 */
export function planJobs(gaps: readonly GapRange[], taken: readonly (readonly [number, number])[]): JobRange[] {
  const out: JobRange[] = [];
  let i = 0;
  while (i < gaps.length) {
    const day = nyDateKey(gaps[i]!.fromTs);
    let j = i;
    while (j + 1 < gaps.length && nyDateKey(gaps[j + 1]!.fromTs) === day) j++;
    const dayGaps = gaps.slice(i, j + 1);
    for (const piece of subtractRanges(dayGaps[0]!.fromTs, dayGaps[dayGaps.length - 1]!.toTs, taken)) {
      const inside = dayGaps.filter((g) => g.toTs > piece.fromTs && g.fromTs < piece.toTs);
      if (inside.length === 0) continue;
      const fromTs = Math.max(piece.fromTs, inside[0]!.fromTs);
      const toTs = Math.min(piece.toTs, inside[inside.length - 1]!.toTs);
      if (countRegularMinutes(fromTs, toTs) > 0) out.push({ fromTs, toTs });
    }
    i = j + 1;
  }
  return out;
}
