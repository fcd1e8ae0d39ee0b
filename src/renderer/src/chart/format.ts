/**
 * Chart labels in New York time, whatever the trader's own zone: sessions, gaps and the bars of a
 * US equity only make sense on the exchange clock. lightweight-charts works in UTC seconds.
 */
import { TickMarkType, type Time, type UTCTimestamp } from 'lightweight-charts';

const NY = 'America/New_York';
const clock = new Intl.DateTimeFormat('en-US', { timeZone: NY, hour: '2-digit', minute: '2-digit', hour12: false });
const dayMonth = new Intl.DateTimeFormat('en-US', { timeZone: NY, month: 'short', day: 'numeric' });
const month = new Intl.DateTimeFormat('en-US', { timeZone: NY, month: 'short' });
const year = new Intl.DateTimeFormat('en-US', { timeZone: NY, year: 'numeric' });
const full = new Intl.DateTimeFormat('en-US', {
  timeZone: NY,
  weekday: 'short',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hour12: false,
});
const dateOnly = new Intl.DateTimeFormat('en-US', {
  timeZone: NY,
  weekday: 'short',
  year: 'numeric',
  month: 'short',
  day: 'numeric',
});

export const toChartTime = (ts: number): UTCTimestamp => (ts / 1000) as UTCTimestamp;
export const fromChartTime = (t: Time): number => (typeof t === 'number' ? t * 1000 : 0);

/** Crosshair label and readout: 'Tue, Jun 17, 10:31' (or the date alone on daily bars). */
export function formatBarTime(ts: number, daily = false): string {
  return (daily ? dateOnly : full).format(ts);
}

export function formatClock(ts: number): string {
  return clock.format(ts);
}

export function tickMark(time: Time, type: TickMarkType): string {
  const ts = fromChartTime(time);
  switch (type) {
    case TickMarkType.Year:
      return year.format(ts);
    case TickMarkType.Month:
      return month.format(ts);
    case TickMarkType.DayOfMonth:
      return dayMonth.format(ts);
    default:
      return clock.format(ts);
  }
}

export function formatPrice(p: number): string {
  return p >= 1000 ? p.toFixed(1) : p.toFixed(2);
}

export function formatVolume(v: number): string {
  if (v >= 1e9) return `${(v / 1e9).toFixed(2)}B`;
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e3) return `${(v / 1e3).toFixed(1)}k`;
  return String(Math.round(v));
}
