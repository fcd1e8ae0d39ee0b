/**
 * Backtest numbers in a trader's words: fractions as %, money with a sign, durations as d/h/m, and
 * dates as New York days. Pure, so the results, the history and the comparison read the same.
 */
import type { CommandInput } from '../../../shared/contract';
import type { BacktestRequest, BacktestStat } from '../../../shared/domain';
import { nyDay } from '../time/newYork';

const DAY = 86_400_000;
const money = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2, minimumFractionDigits: 2 });
const int = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export const nyDayOf = nyDay;

export function formatPct(v: number | null, digits = 2): string {
  return v === null ? '—' : `${(v * 100).toFixed(digits)}%`;
}

export function formatMoney(v: number | null): string {
  if (v === null) return '—';
  return `${v < 0 ? '−' : ''}$${money.format(Math.abs(v))}`;
}

export function formatInt(v: number | null): string {
  return v === null ? '—' : int.format(v);
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms >= DAY) return `${(ms / DAY).toFixed(ms >= 10 * DAY ? 0 : 1)}d`;
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)}h`;
  return `${Math.round(ms / 60_000)}m`;
}

export function formatStat(format: BacktestStat['format'], v: number | null): string {
  switch (format) {
    case 'pct':
      return formatPct(v);
    case 'money':
      return formatMoney(v);
    case 'int':
      return formatInt(v);
    case 'ms':
      return formatDuration(v);
    case 'num':
      return v === null ? '—' : v.toFixed(2);
  }
}

/** A difference (b − a) in the stat's own unit, with its sign. */
export function formatDiff(format: BacktestStat['format'], v: number | null): string {
  if (v === null) return '—';
  const s = formatStat(format, Math.abs(v));
  return v > 0 ? `+${s}` : v < 0 ? `−${s.replace(/^−/, '')}` : s;
}

/**
 * 'YYYY-MM-DD' (a New York day) → the epoch ms the range uses: 09:00 UTC, which is 04:00 or 05:00
 * in New York, so the day's pre-market and session are in and the previous evening is not (UTC
 * midnight would fall on the New York day before, outside the calendar for 2000-01-01).
 */
export function dayToMs(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const t = Date.parse(`${day}T09:00:00Z`);
  return Number.isNaN(t) ? null : t;
}

/** The form as the trader filled it in: strings, as inputs hold them. */
export interface BacktestForm {
  data: BacktestRequest['data'];
  symbols: string;
  interval: '1m' | '1d';
  from: string;
  to: string;
  cash: string;
  slippageBps: string;
  commission: BacktestRequest['commission'];
  fillAt: BacktestRequest['fillAt'];
  allowGaps: boolean;
  policy: string;
  seed: string;
}

/** Form → request, or the first problem in words. `to` is inclusive in the form, exclusive in the request. */
export function requestOf(f: BacktestForm): { request: CommandInput<'runBacktest'> } | { error: string } {
  const from = f.from.trim() === '' ? null : dayToMs(f.from.trim());
  const toDay = f.to.trim() === '' ? null : dayToMs(f.to.trim());
  if (from === null && f.from.trim() !== '') return { error: 'From must be a date (YYYY-MM-DD)' };
  if (toDay === null && f.to.trim() !== '') return { error: 'To must be a date (YYYY-MM-DD)' };
  // The end of the To day: 04:00 UTC the next day is midnight (EDT) or 23:00 (EST) in New York, after the after-hours.
  const to = toDay === null ? null : toDay + DAY - 5 * 3_600_000;
  if (from !== null && to !== null && to <= from) return { error: 'To must not be before From' };
  const symbols = f.symbols
    .split(/[\s,]+/)
    .map((s) => s.trim().toUpperCase())
    .filter((s) => s !== '');
  if (f.data !== 'sp500' && symbols.length === 0) return { error: 'Give at least one symbol' };
  if (f.data === 'synthetic' && (from === null || to === null)) return { error: 'Synthetic data needs From and To' };
  const cash = Number(f.cash);
  if (!Number.isFinite(cash) || cash <= 0) return { error: 'Cash must be a positive number' };
  const slippageBps = Number(f.slippageBps);
  if (!Number.isFinite(slippageBps) || slippageBps < 0) return { error: 'Slippage must be 0 bps or more' };
  const seed = Number(f.seed);
  if (!Number.isInteger(seed)) return { error: 'Seed must be a whole number' };
  return {
    request: {
      data: f.data,
      symbols: f.data === 'sp500' ? [] : symbols,
      interval: f.data === 'synthetic' ? '1m' : f.data === 'sp500' ? '1d' : f.interval,
      from,
      to,
      initialCash: cash,
      slippageBps,
      commission: f.commission,
      fillAt: f.fillAt,
      allowGaps: f.allowGaps,
      policy: f.policy.trim() === '' ? null : f.policy.trim(),
      seed,
    },
  };
}
