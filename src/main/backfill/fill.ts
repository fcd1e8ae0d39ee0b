/**
 * Provider bars to stored bars for one job: every bar is checked, and only minutes still missing
 * are written. A bar that arrived live while the job ran is never overwritten: the live stream is
 * what the trader saw, and the buffer's later flush of a live bar replaces a backfilled one anyway.
 */
import type { Bar } from '../../shared/domain';
import { isValidMinuteBar, storedFromProvider } from '../bars/providerBar';
import type { StoredBar } from '../bars/types';
import { countRegularMinutes } from '../marketdata/calendar';

const MS_MIN = 60_000;

export interface FillResult {
  /** Bars to write: valid, inside the job, in a regular minute, not already stored. */
  bars: StoredBar[];
  /** Bars refused: bad numbers, outside the range, off the minute, or closed time. */
  rejected: number;
  /** Valid bars skipped because the minute already had a bar. */
  alreadyStored: number;
}

export function toBackfilledBars(
  raw: readonly Bar[],
  job: { symbol: string; fromTs: number; toTs: number },
  provider: string,
  present: ReadonlySet<number>,
  asOf: number,
): FillResult {
  const bars: StoredBar[] = [];
  const seen = new Set<number>();
  let rejected = 0;
  let alreadyStored = 0;
  for (const b of raw) {
    const inRange = b.ts >= job.fromTs && b.ts < job.toTs;
    if (!isValidMinuteBar(b) || !inRange || b.symbol !== job.symbol || countRegularMinutes(b.ts, b.ts + MS_MIN) !== 1) {
      rejected++;
      continue;
    }
    if (present.has(b.ts) || seen.has(b.ts)) {
      alreadyStored++;
      continue;
    }
    seen.add(b.ts);
    bars.push(storedFromProvider(b, provider, asOf, 'backfilled'));
  }
  bars.sort((a, b) => a.ts - b.ts);
  return { bars, rejected, alreadyStored };
}
