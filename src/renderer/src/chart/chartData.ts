/**
 * Turns a getBars answer into what the chart series take: candles (with whitespace where whole
 * buckets are missing, so a gap takes room on the time axis), volume, the gap band and one marker
 * per hole. Pure, so it can be reasoned about without a canvas.
 */
import type { CandlestickData, HistogramData, SeriesMarker, Time, WhitespaceData } from 'lightweight-charts';
import type { ChartBar, ChartHistory } from '../../../shared/domain';
import { toChartTime } from './format';

export const COLORS = {
  up: '#3fb950',
  down: '#f85149',
  /** Backfilled bars: blue (up) and purple (down), so they never pass for live data. */
  backfilledUp: '#58a6ff',
  backfilledDown: '#bc8cff',
  gapBand: 'rgba(248, 81, 73, 0.3)',
  gapMarker: '#ff7b72',
  volumeUp: 'rgba(63, 185, 80, 0.45)',
  volumeDown: 'rgba(248, 81, 73, 0.45)',
  volumeBackfilled: 'rgba(163, 113, 247, 0.45)',
} as const;

export type CandlePoint = CandlestickData<Time> | WhitespaceData<Time>;

export function candleOf(b: ChartBar): CandlestickData<Time> {
  const up = b.c >= b.o;
  const point: CandlestickData<Time> = { time: toChartTime(b.ts), open: b.o, high: b.h, low: b.l, close: b.c };
  if (b.status === 'backfilled') {
    // Solid and in their own hues: a hollow body vanishes when a candle is two pixels wide.
    const color = up ? COLORS.backfilledUp : COLORS.backfilledDown;
    return { ...point, color, borderColor: color, wickColor: color };
  }
  return point;
}

export function volumeOf(b: ChartBar): HistogramData<Time> {
  const color = b.status === 'backfilled' ? COLORS.volumeBackfilled : b.c >= b.o ? COLORS.volumeUp : COLORS.volumeDown;
  return { time: toChartTime(b.ts), value: b.v, color };
}

export interface SeriesData {
  candles: CandlePoint[];
  volume: HistogramData<Time>[];
  band: HistogramData<Time>[];
  markers: SeriesMarker<Time>[];
}

export function seriesOf(h: ChartHistory): SeriesData {
  const have = new Set(h.bars.map((b) => b.ts));
  const candles: CandlePoint[] = h.bars.map(candleOf);
  for (const ts of h.gapBuckets) if (!have.has(ts)) candles.push({ time: toChartTime(ts) });
  candles.sort((a, b) => (a.time as number) - (b.time as number));
  return {
    candles,
    volume: h.bars.map(volumeOf),
    band: h.gapBuckets.map((ts) => ({ time: toChartTime(ts), value: 1, color: COLORS.gapBand })),
    markers: gapMarkers(h),
  };
}

/** One marker per bar that borders a hole, carrying the missing minutes of every hole it borders. */
export function gapMarkers(h: ChartHistory): SeriesMarker<Time>[] {
  const { bars, gapBuckets } = h;
  if (bars.length === 0) return [];
  const minutesAt = new Map<number, number>();
  for (const g of h.gaps) {
    const bucket = lastAtOrBefore(gapBuckets, g.fromTs) ?? g.fromTs;
    // The bucket itself when it has a bar (a partial hole), else the bar just before the hole
    // (it stays on screen while live bars push the hole's right edge), else the first after it.
    let i = firstAtOrAfter(bars, bucket);
    if (i === bars.length || bars[i]!.ts !== bucket) i = i > 0 ? i - 1 : i;
    const ts = bars[i]!.ts;
    minutesAt.set(ts, (minutesAt.get(ts) ?? 0) + g.minutes);
  }
  return [...minutesAt]
    .sort((a, b) => a[0] - b[0])
    .map(([ts, minutes]) => ({
      time: toChartTime(ts),
      position: 'aboveBar',
      shape: 'arrowDown',
      color: COLORS.gapMarker,
      text: `gap ${formatMinutes(minutes)}`,
    }));
}

export function formatMinutes(m: number): string {
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
}

function lastAtOrBefore(sorted: readonly number[], ts: number): number | null {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! <= ts) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? null : sorted[lo - 1]!;
}

function firstAtOrAfter(bars: readonly ChartBar[], ts: number): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bars[mid]!.ts < ts) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
