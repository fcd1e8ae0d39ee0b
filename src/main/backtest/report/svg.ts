/**
 * Inline SVG charts for the HTML report, drawn in TypeScript so the page needs no script, no
 * library and no network. Series are plotted against bar index (trading time), not wall time, so
 * nights and weekends do not flatten minute-bar charts; the x labels name the bars' dates.
 */
import { esc } from './format';

export interface LineSeries {
  name: string;
  values: readonly number[];
  color: string;
  /** Fill between the line and the baseline (the underwater curve). */
  area?: boolean;
  dashed?: boolean;
}

export interface Marker {
  index: number;
  value: number;
  shape: 'up' | 'down' | 'circle';
  color: string;
  /** Hover text. */
  title: string;
}

export interface LineChartOptions {
  width: number;
  height: number;
  series: readonly LineSeries[];
  /** Label for the bar at an index (a date). */
  xLabel: (index: number) => string;
  yFormat: (v: number) => string;
  /** Where an area fills to, and a line drawn across; defaults to the bottom of the plot. */
  baseline?: number;
  markers?: readonly Marker[];
  ariaLabel: string;
}

const M = { left: 66, right: 14, top: 10, bottom: 26 };
/** Enough points for a sharp line at print resolution; more only bloats the file. */
const MAX_POINTS = 1400;

function fmt(n: number): string {
  return (Math.round(n * 10) / 10).toString();
}

/** 1, 2 or 5 × 10^k steps covering [min, max] in about `count` ticks. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  const raw = (max - min) / count;
  const mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(min / step) * step; v <= max + step * 1e-9; v += step)
    out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/**
 * Keeps at most ~maxPoints points: per bucket of indices the first, lowest, highest and last, in
 * index order, so spikes and drawdown troughs survive the thinning.
 */
export function downsample(values: readonly number[], maxPoints = MAX_POINTS): { i: number; v: number }[] {
  const n = values.length;
  if (n <= maxPoints) return values.map((v, i) => ({ i, v }));
  const buckets = Math.max(1, Math.floor(maxPoints / 4));
  const size = n / buckets;
  const out: { i: number; v: number }[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(n, Math.floor((b + 1) * size));
    if (from >= to) continue;
    let lo = from;
    let hi = from;
    for (let i = from; i < to; i++) {
      if (values[i]! < values[lo]!) lo = i;
      if (values[i]! > values[hi]!) hi = i;
    }
    const keep = [...new Set([from, lo, hi, to - 1])].sort((a, b2) => a - b2);
    for (const i of keep) out.push({ i, v: values[i]! });
  }
  return out;
}

function extent(series: readonly LineSeries[], markers: readonly Marker[], baseline?: number): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series)
    for (const v of s.values) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  for (const m of markers) {
    lo = Math.min(lo, m.value);
    hi = Math.max(hi, m.value);
  }
  if (baseline !== undefined) {
    lo = Math.min(lo, baseline);
    hi = Math.max(hi, baseline);
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.01 || 1;
    return [lo - pad, hi + pad];
  }
  const pad = (hi - lo) * 0.04;
  return [baseline === lo ? lo : lo - pad, baseline === hi ? hi : hi + pad];
}

export function lineChart(o: LineChartOptions): string {
  const markers = o.markers ?? [];
  const n = Math.max(1, ...o.series.map((s) => s.values.length));
  const [lo, hi] = extent(o.series, markers, o.baseline);
  const pw = o.width - M.left - M.right;
  const ph = o.height - M.top - M.bottom;
  const x = (i: number): number => M.left + (n <= 1 ? pw / 2 : (i / (n - 1)) * pw);
  const y = (v: number): number => M.top + (1 - (v - lo) / (hi - lo)) * ph;
  const parts: string[] = [];

  for (const t of niceTicks(lo, hi)) {
    const yy = fmt(y(t));
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${o.width - M.right}" y1="${yy}" y2="${yy}"/>`,
      `<text class="ylab" x="${M.left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${esc(o.yFormat(t))}</text>`,
    );
  }
  const xTicks = n <= 1 ? [0] : [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => Math.round(f * (n - 1)));
  for (const [k, i] of [...new Set(xTicks)].entries()) {
    const anchor = k === 0 ? 'start' : i === n - 1 ? 'end' : 'middle';
    parts.push(
      `<line class="tick" x1="${fmt(x(i))}" x2="${fmt(x(i))}" y1="${M.top + ph}" y2="${M.top + ph + 4}"/>`,
      `<text class="xlab" x="${fmt(x(i))}" y="${o.height - 6}" text-anchor="${anchor}">${esc(o.xLabel(i))}</text>`,
    );
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${o.width - M.right}" y1="${M.top + ph}" y2="${M.top + ph}"/>`);
  if (o.baseline !== undefined && o.baseline > lo && o.baseline < hi) {
    const yb = fmt(y(o.baseline));
    parts.push(`<line class="baseline" x1="${M.left}" x2="${o.width - M.right}" y1="${yb}" y2="${yb}"/>`);
  }
  for (const s of o.series) {
    const pts = downsample(s.values);
    if (pts.length === 0) continue;
    const d = pts.map((p, k) => `${k === 0 ? 'M' : 'L'}${fmt(x(p.i))} ${fmt(y(p.v))}`).join('');
    if (s.area) {
      const base = fmt(y(o.baseline ?? lo));
      const first = pts[0]!;
      const last = pts[pts.length - 1]!;
      parts.push(
        `<path d="${d}L${fmt(x(last.i))} ${base}L${fmt(x(first.i))} ${base}Z" fill="${s.color}" fill-opacity="0.22" stroke="none"/>`,
      );
    }
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.4" stroke-linejoin="round"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`,
    );
  }
  for (const m of markers) {
    const cx = x(m.index);
    const cy = y(m.value);
    const shape =
      m.shape === 'circle'
        ? `<circle cx="${fmt(cx)}" cy="${fmt(cy)}" r="3.6"/>`
        : m.shape === 'up'
          ? `<path d="M${fmt(cx)} ${fmt(cy - 1)}l-4.5 8h9z"/>`
          : `<path d="M${fmt(cx)} ${fmt(cy + 1)}l-4.5 -8h9z"/>`;
    parts.push(`<g class="marker" fill="${m.color}"><title>${esc(m.title)}</title>${shape}</g>`);
  }
  return `<svg class="chart" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-label="${esc(o.ariaLabel)}" preserveAspectRatio="xMidYMid meet">${parts.join('')}</svg>`;
}

export interface HistogramBin {
  from: number;
  to: number;
  count: number;
}

/** Equal-width bins over [min, max]; about √n of them, between 5 and 30. */
export function histogramBins(values: readonly number[]): HistogramBin[] {
  if (values.length === 0) return [];
  let lo = Math.min(...values);
  let hi = Math.max(...values);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.05 || 0.001;
    lo -= pad;
    hi += pad;
  }
  const k = Math.max(5, Math.min(30, Math.ceil(Math.sqrt(values.length))));
  const w = (hi - lo) / k;
  const bins: HistogramBin[] = Array.from({ length: k }, (_, b) => ({
    from: lo + b * w,
    to: lo + (b + 1) * w,
    count: 0,
  }));
  for (const v of values) bins[Math.min(k - 1, Math.floor((v - lo) / w))]!.count++;
  return bins;
}

export function histogramChart(o: {
  width: number;
  height: number;
  bins: readonly HistogramBin[];
  xFormat: (v: number) => string;
  ariaLabel: string;
}): string {
  const pw = o.width - M.left - M.right;
  const ph = o.height - M.top - M.bottom;
  const maxCount = Math.max(1, ...o.bins.map((b) => b.count));
  const parts: string[] = [];
  for (const t of niceTicks(0, maxCount, 4).filter((t) => Number.isInteger(t))) {
    const yy = fmt(M.top + (1 - t / maxCount) * ph);
    parts.push(
      `<line class="grid" x1="${M.left}" x2="${o.width - M.right}" y1="${yy}" y2="${yy}"/>`,
      `<text class="ylab" x="${M.left - 6}" y="${yy}" dy="0.32em" text-anchor="end">${t}</text>`,
    );
  }
  const bw = pw / Math.max(1, o.bins.length);
  o.bins.forEach((b, k) => {
    const h = (b.count / maxCount) * ph;
    const mid = (b.from + b.to) / 2;
    const color = mid < 0 ? '#c0392b' : '#1e8449';
    parts.push(
      `<g><title>${esc(`${o.xFormat(b.from)} to ${o.xFormat(b.to)}: ${b.count} trade${b.count === 1 ? '' : 's'}`)}</title>` +
        `<rect x="${fmt(M.left + k * bw + 1)}" y="${fmt(M.top + ph - h)}" width="${fmt(Math.max(1, bw - 2))}" height="${fmt(h)}" fill="${color}" fill-opacity="0.8"/></g>`,
    );
  });
  const labelEvery = Math.max(1, Math.ceil(o.bins.length / 6));
  o.bins.forEach((b, k) => {
    if (k % labelEvery !== 0) return;
    parts.push(
      `<text class="xlab" x="${fmt(M.left + k * bw)}" y="${o.height - 6}" text-anchor="middle">${esc(o.xFormat(b.from))}</text>`,
    );
  });
  const zeroBin = o.bins.findIndex((b) => b.from <= 0 && b.to > 0);
  if (zeroBin >= 0) {
    const b = o.bins[zeroBin]!;
    const zx = fmt(M.left + (zeroBin + (0 - b.from) / (b.to - b.from)) * bw);
    parts.push(`<line class="baseline" x1="${zx}" x2="${zx}" y1="${M.top}" y2="${M.top + ph}"/>`);
  }
  parts.push(`<line class="axis" x1="${M.left}" x2="${o.width - M.right}" y1="${M.top + ph}" y2="${M.top + ph}"/>`);
  return `<svg class="chart" viewBox="0 0 ${o.width} ${o.height}" role="img" aria-label="${esc(o.ariaLabel)}">${parts.join('')}</svg>`;
}
