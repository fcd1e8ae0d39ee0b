/**
 * Chart markers for signal decisions: ▲ below the bar for BUY, ▼ above it for SELL, HOLD not drawn.
 * Passed decisions are coloured, gated (blocked) ones grey. A pair's action is split by its legs,
 * so BUY_A_SELL_B is a BUY on A's chart and a SELL on B's. On coarser intervals a decision lands
 * on the bucket holding its minute bar; several decisions of one side in a bucket make one marker,
 * coloured if any of them passed. Pure: the chart panel only hands the markers to the series.
 */
import type { SeriesMarker, Time } from 'lightweight-charts';
import type { ChartInterval, Signal, SignalSide } from '../../../shared/domain';
import { toChartTime } from '../chart/format';
import { nyDay } from './format';

export const SIGNAL_COLORS = { buy: '#3fb950', sell: '#f85149', gated: '#6e7681' } as const;

const BUCKET_MS: Record<Exclude<ChartInterval, '1d'>, number> = {
  '1m': 60_000,
  '5m': 5 * 60_000,
  '15m': 15 * 60_000,
  '1h': 60 * 60_000,
};

export interface SignalMarkerCounts {
  buy: number;
  sell: number;
  /** Of buy + sell, how many markers are grey (every decision in them was blocked). */
  gated: number;
}

export interface SignalMarkers {
  markers: SeriesMarker<Time>[];
  counts: SignalMarkerCounts;
}

/** The side a decision takes on `symbol`'s chart, or null when it is not a leg of it. */
export function sideOn(s: Signal, symbol: string): SignalSide | null {
  return s.legs.find((l) => l.symbol === symbol)?.side ?? null;
}

/**
 * `buckets`: bucket starts on the chart (epoch ms, ascending; whitespace of gaps included).
 * Decisions whose bucket is not on screen are left out.
 */
export function signalMarkers(
  signals: readonly Signal[],
  symbol: string,
  interval: ChartInterval,
  buckets: readonly number[],
): SignalMarkers {
  const slots = new Map<string, { ts: number; side: 'BUY' | 'SELL'; passed: boolean; n: number }>();
  const dayBucket = interval === '1d' ? new Map(buckets.map((ts) => [nyDay(ts), ts])) : null;
  for (const s of signals) {
    const side = sideOn(s, symbol);
    if (side === null || side === 'HOLD') continue;
    const bucket = interval === '1d' ? (dayBucket?.get(nyDay(s.barTs)) ?? null) : bucketOf(buckets, s.barTs, interval);
    if (bucket === null) continue;
    const key = `${bucket}|${side}`;
    const slot = slots.get(key);
    if (slot === undefined) slots.set(key, { ts: bucket, side, passed: s.passed, n: 1 });
    else {
      slot.passed ||= s.passed;
      slot.n += 1;
    }
  }
  const counts: SignalMarkerCounts = { buy: 0, sell: 0, gated: 0 };
  const markers = [...slots.values()]
    .sort((a, b) => a.ts - b.ts || (a.side === 'BUY' ? -1 : 1))
    .map((m): SeriesMarker<Time> => {
      const buy = m.side === 'BUY';
      counts[buy ? 'buy' : 'sell'] += 1;
      if (!m.passed) counts.gated += 1;
      return {
        time: toChartTime(m.ts),
        position: buy ? 'belowBar' : 'aboveBar',
        shape: buy ? 'arrowUp' : 'arrowDown',
        color: m.passed ? (buy ? SIGNAL_COLORS.buy : SIGNAL_COLORS.sell) : SIGNAL_COLORS.gated,
        // Words only on passed ones: a gated arrow is context, a passed one is the trade.
        text: m.passed ? m.side : '',
        size: m.passed ? 1 : 0.8,
      };
    });
  return { markers, counts };
}

/** The bucket (start) holding `ts`: the last one at or before it, if `ts` is inside its span. */
function bucketOf(buckets: readonly number[], ts: number, interval: Exclude<ChartInterval, '1d'>): number | null {
  let lo = 0;
  let hi = buckets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (buckets[mid]! <= ts) lo = mid + 1;
    else hi = mid;
  }
  if (lo === 0) return null;
  const start = buckets[lo - 1]!;
  return ts - start < BUCKET_MS[interval] ? start : null;
}

/** Gap markers and signal markers on one series, in time order (the plugin takes one list). */
export function mergeMarkers(a: readonly SeriesMarker<Time>[], b: readonly SeriesMarker<Time>[]): SeriesMarker<Time>[] {
  return [...a, ...b].sort((x, y) => (x.time as number) - (y.time as number));
}
