import { describe, expect, it } from 'vitest';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_WINDOW_BARS } from '../../../src/main/features/names';
import { FeaturePipeline } from '../../../src/main/features/pipeline';
import type { BarColumns } from '../../../src/main/features/reference';
import { recomputeLastRow } from '../../../src/main/features/reference';
import {
  HISTORY_MASK,
  HISTORY_SLOTS,
  emaDecay,
  emaNorm,
  simpleReturn,
  windowEmaSum,
  windowMoveSum,
  windowReturnMean,
  windowShiftedReturnSums,
  windowSum,
} from '../../../src/main/features/rolling';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** A history ring holding bars 0 … count − 1 of `series` (only the last 64 survive). */
function ring(series: number[]): Float64Array {
  const h = new Float64Array(HISTORY_SLOTS);
  series.forEach((x, i) => (h[i & HISTORY_MASK] = x));
  return h;
}

describe('window helpers read the history ring by bar index', () => {
  // 100 bars: the ring has wrapped, so bar i is no longer at slot i.
  const rand = lcg(3);
  const closes = Array.from({ length: 100 }, () => 100 + Math.round(rand() * 500) / 100);
  const volumes = Array.from({ length: 100 }, () => Math.floor(rand() * 1000));
  const c = ring(closes);
  const v = ring(volumes);
  const end = 100;
  const last = (xs: number[], n: number): number[] => xs.slice(end - n, end);
  const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

  it('windowSum', () => {
    expect(windowSum(c, end, 20)).toBe(sum(last(closes, 20)));
    expect(windowSum(v, end, 50)).toBe(sum(last(volumes, 50)));
  });

  it('returns, their mean and their shifted sums', () => {
    expect(simpleReturn(c, 99)).toBe(closes[99]! / closes[98]! - 1);
    const rets = Array.from({ length: 20 }, (_, k) => closes[80 + k]! / closes[79 + k]! - 1);
    expect(windowReturnMean(c, end, 20)).toBe(sum(rets) / 20);
    const out = new Float64Array(2);
    windowShiftedReturnSums(c, end, 20, 0.001, out);
    expect(out[0]).toBeCloseTo(sum(rets.map((r) => r - 0.001)), 15);
    expect(out[1]).toBeCloseTo(sum(rets.map((r) => (r - 0.001) ** 2)), 15);
  });

  it('up and down moves, with bar 0 counting as no move', () => {
    const deltas = Array.from({ length: 14 }, (_, k) => closes[86 + k]! - closes[85 + k]!);
    expect(windowMoveSum(c, end, 14, true)).toBe(sum(deltas.map((d) => (d > 0 ? d : 0))));
    expect(windowMoveSum(c, end, 14, false)).toBe(sum(deltas.map((d) => (d < 0 ? -d : 0))));
    const early = ring([10, 11, 9, 9.5]);
    expect(windowMoveSum(early, 4, 4, true)).toBe(1 + 0.5);
    expect(windowMoveSum(early, 4, 4, false)).toBe(2);
  });

  it('window-anchored EMA sums: pandas adjust=True weights over exactly n bars', () => {
    const w = emaDecay(12);
    expect(w).toBe(1 - 2 / 13);
    let num = 0;
    let den = 0;
    for (let k = 0; k < 50; k++) {
      num += w ** k * closes[99 - k]!;
      den += w ** k;
    }
    expect(windowEmaSum(c, end, 50, w) / emaNorm(50, w)).toBeCloseTo(num / den, 12);
    expect(emaNorm(50, w)).toBeCloseTo((1 - w ** 50) / (1 - w), 13);
  });
});

describe('no drift: the incremental pipeline over a million bars against a full recompute', () => {
  it('stays within 1e-12 relative of recomputeLastRow at a large price level', () => {
    // A level near 50,000 with small moves and volumes near 1e9: sliding sums of large numbers with
    // small differences, the case where a running add/remove would drift without the re-sums.
    const N = 1_000_000;
    const rand = lcg(20250303);
    const ts = new Float64Array(N);
    const close = new Float64Array(N);
    const volume = new Float64Array(N);
    let price = 50_000;
    for (let i = 0; i < N; i++) {
      if (i % 1000 > 20) price = Math.round((price + (rand() - 0.5) * 20) * 100) / 100;
      ts[i] = Date.UTC(2025, 0, 2, 14, 30) + i * 60_000;
      close[i] = price;
      volume[i] = i % 3000 < 60 ? 0 : 1e9 + Math.floor(rand() * 1e6);
    }
    const cols: BarColumns = { ts, close, volume };
    const p = new FeaturePipeline();
    const want = new Float64Array(FEATURE_COUNT);
    const worst = new Array<number>(FEATURE_COUNT).fill(0);
    let checked = 0;
    for (let i = 0; i < N; i++) {
      const f = p.push(ts[i]!, close[i]!, volume[i]!);
      if (!f || i % 97 !== 0) continue;
      recomputeLastRow(cols, i + 1, want);
      for (let k = 0; k < FEATURE_COUNT; k++) {
        const scale = Math.max(Math.abs(want[k]!), 1e-300);
        worst[k] = Math.max(worst[k]!, Math.abs(f[k]! - want[k]!) / scale);
      }
      checked++;
    }
    expect(checked).toBeGreaterThan((N - FEATURE_WINDOW_BARS) / 97 - 1);
    // Volatility's own scale is tiny (1e-5); judge it against the returns' typical size instead.
    const report = FEATURE_NAMES.map((n, k) => `${n} ${worst[k]!.toExponential(1)}`).join(', ');
    for (let k = 0; k < FEATURE_COUNT; k++) {
      expect(worst[k], `${FEATURE_NAMES[k]} (${report})`).toBeLessThan(
        FEATURE_NAMES[k] === 'volatility' ? 1e-9 : 1e-12,
      );
    }
  });
});
