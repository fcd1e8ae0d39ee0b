/** Gap state and backfill jobs in a trader's words. Pure. */
import type { BackfillJob, DayGapStateDto } from '../../../shared/domain';
import { formatBarTime, formatClock } from '../chart/format';
import { formatMinutes } from '../chart/chartData';

export type Health = 'ok' | 'warn' | 'bad' | 'idle';

export interface DayText {
  label: string;
  detail: string;
  health: Health;
}

const sum = (d: DayGapStateDto) => d.missing.reduce((n, g) => n + g.minutes, 0);

/** One day of one symbol: "complete", "12 min missing", "backfilling", … with a detail line. */
export function describeDay(d: DayGapStateDto): DayText {
  const missing = sum(d);
  const jobs = [
    d.openJobs > 0 ? `${d.openJobs} job${d.openJobs === 1 ? '' : 's'} open` : '',
    d.deadJobs > 0 ? `${d.deadJobs} dead` : '',
  ]
    .filter(Boolean)
    .join(', ');
  const filled = d.backfilledMinutes > 0 ? `, ${d.backfilledMinutes} backfilled` : '';
  switch (d.state) {
    case 'closed':
      return { label: 'market closed', detail: 'no regular session', health: 'idle' };
    case 'pending':
      return { label: 'not open yet', detail: 'the regular session has not started', health: 'idle' };
    case 'complete':
      return {
        label: 'complete',
        detail: `${d.haveMinutes}/${d.expectedMinutes} min${filled}${jobs ? ` · ${jobs}` : ''}`,
        health: d.deadJobs > 0 ? 'warn' : 'ok',
      };
    default: {
      const gaps = d.missing.length;
      const label = d.openJobs > 0 ? `backfilling ${formatMinutes(missing)}` : `${formatMinutes(missing)} missing`;
      return {
        label,
        detail:
          `${d.haveMinutes}/${d.expectedMinutes} min, ${gaps} gap${gaps === 1 ? '' : 's'}${filled}` +
          ` · ${jobs || 'no backfill job'}`,
        health: d.state === 'empty' || d.deadJobs > 0 ? 'bad' : 'warn',
      };
    }
  }
}

/** Missing minutes on the days before the newest one, for a one-line "earlier" note. */
export function earlierMissing(days: readonly DayGapStateDto[]): { minutes: number; days: number } {
  const before = days.slice(0, -1).filter((d) => d.missing.length > 0);
  return { minutes: before.reduce((n, d) => n + sum(d), 0), days: before.length };
}

const shortDay = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', month: 'short', day: 'numeric' });

/** "Nov 30 10:00–10:15 NY (15m)" */
export function jobRange(j: BackfillJob): string {
  const minutes = Math.round((j.toTs - j.fromTs) / 60_000);
  if (j.interval === '1d') return `${formatBarTime(j.fromTs, true)}–${formatBarTime(j.toTs - 1, true)}`;
  return `${shortDay.format(j.fromTs)} ${formatClock(j.fromTs)}–${formatClock(j.toTs)} NY (${formatMinutes(minutes)})`;
}
