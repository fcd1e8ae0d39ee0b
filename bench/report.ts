/** Shared helpers for benchmarks: timing, percentiles and one printed table per benchmark. */
import { performance } from 'node:perf_hooks';

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** Optional: the target from the issue, printed for comparison (never asserted). */
  target?: string;
}

/** Runs fn `iterations` times after a warm-up and returns nanoseconds per iteration. */
export function nsPerOp(fn: () => void, iterations: number, warmup = Math.min(iterations, 10_000)): number {
  for (let i = 0; i < warmup; i++) fn();
  const t0 = performance.now();
  for (let i = 0; i < iterations; i++) fn();
  return ((performance.now() - t0) * 1e6) / iterations;
}

export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function printBench(title: string, rows: BenchRow[], ratio?: { label: string; value: number }): void {
  const lines = [`\n== ${title} ==`];
  for (const r of rows) {
    const v = Math.abs(r.value) >= 1000 ? Math.round(r.value).toLocaleString('en-US') : r.value.toPrecision(4);
    lines.push(`  ${r.name.padEnd(48)} ${v.padStart(14)} ${r.unit}${r.target ? `   (target ${r.target})` : ''}`);
  }
  if (ratio) lines.push(`  ${ratio.label.padEnd(48)} ${ratio.value.toFixed(2).padStart(14)} x`);
  console.log(lines.join('\n'));
}
