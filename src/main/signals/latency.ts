/**
 * Decision latency over the most recent decisions: a fixed ring of samples (microseconds), sorted
 * into a scratch array only when a percentile is asked for (stats, gates: rare), never on record.
 */
export const DEFAULT_LATENCY_WINDOW = 2048;

export class LatencyWindow {
  private readonly samples: Float64Array;
  private readonly scratch: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly size = DEFAULT_LATENCY_WINDOW) {
    this.samples = new Float64Array(size);
    this.scratch = new Float64Array(size);
  }

  record(us: number): void {
    this.samples[this.next] = us;
    this.next = (this.next + 1) % this.size;
    if (this.filled < this.size) this.filled++;
  }

  get count(): number {
    return this.filled;
  }

  /** Nearest-rank percentile (p in 0..100); null with no samples. */
  percentile(p: number): number | null {
    return this.percentiles([p])[0] ?? null;
  }

  percentiles(ps: readonly number[]): (number | null)[] {
    const n = this.filled;
    if (n === 0) return ps.map(() => null);
    const sorted = this.scratch.subarray(0, n);
    sorted.set(this.samples.subarray(0, n));
    sorted.sort();
    return ps.map((p) => sorted[Math.min(n - 1, Math.max(0, Math.ceil((p / 100) * n) - 1))]!);
  }
}
