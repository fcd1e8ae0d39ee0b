/** Memory and event-loop figures the load scenarios report: samples, a least-squares slope, percentiles. */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

export interface MemSample {
  /** x: seconds of wall time, or hours of simulated time (the caller decides). */
  x: number;
  heapMb: number;
  rssMb: number;
}

export const MB = 2 ** 20;

export function memSample(x: number): MemSample {
  const m = process.memoryUsage();
  return { x, heapMb: m.heapUsed / MB, rssMb: m.rss / MB };
}

/** Least-squares slope of y over x (0 with fewer than two distinct x). */
export function slope(points: readonly { x: number; y: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, p) => s + p.x, 0) / n;
  const my = points.reduce((s, p) => s + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export const round = (v: number, digits = 2): number => Math.round(v * 10 ** digits) / 10 ** digits;

let gcFn: (() => void) | null | undefined;

/** A full GC (V8's gc, exposed at runtime in a fresh context), so "after" figures are live data, not garbage. */
export function tryGc(): boolean {
  if (gcFn === undefined) {
    try {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    } catch {
      gcFn = null;
    }
  }
  if (!gcFn) return false;
  gcFn();
  return true;
}

/** Event-loop delay histogram in ms (Node's own, 10 ms resolution). */
export function loopLag(): { stop: () => { p50: number; p99: number; max: number } } {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  return {
    stop: () => {
      h.disable();
      return { p50: h.percentile(50) / 1e6, p99: h.percentile(99) / 1e6, max: h.max / 1e6 };
    },
  };
}
