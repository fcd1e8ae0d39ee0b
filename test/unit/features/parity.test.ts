import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseBarsCsv } from '../../../src/main/bars/csv';
import type { CsvBar } from '../../../src/main/bars/csv';
import { FEATURE_COUNT, FEATURE_NAMES, FEATURE_WINDOW_BARS, FeatureIndex } from '../../../src/main/features/names';
import { FeaturePipeline, FeaturePipelines } from '../../../src/main/features/pipeline';
import type { BarColumns } from '../../../src/main/features/reference';
import { recomputeLastRow, referenceFeatures } from '../../../src/main/features/reference';

// The fixtures live in shared/, beside the repo (CI clones main with shared/ next to it).
const FIXTURES = new URL('../../../../shared/fixtures/features/', import.meta.url);
const ABS = 1e-9;
const REL = 1e-9;

function within(actual: number, expected: number): boolean {
  return Math.abs(actual - expected) <= ABS + REL * Math.abs(expected);
}

function loadBars(): CsvBar[] {
  const parsed = parseBarsCsv(readFileSync(new URL('bars-seed7.csv', FIXTURES), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.issues.map((i) => `${i.row}: ${i.message}`).join('\n'));
  return parsed.bars;
}

function loadExpected(): { header: string[]; rows: Map<number, number[]> } {
  const lines = readFileSync(new URL('features-seed7.csv', FIXTURES), 'utf8').trimEnd().split('\n');
  const rows = new Map<number, number[]>();
  for (const line of lines.slice(1)) {
    const cells = line.split(',').map(Number);
    rows.set(cells[0]!, cells.slice(1));
  }
  return { header: lines[0]!.split(','), rows };
}

function columns(bars: readonly { ts: number; c: number; v: number }[]): BarColumns {
  return {
    ts: Float64Array.from(bars, (b) => b.ts),
    close: Float64Array.from(bars, (b) => b.c),
    volume: Float64Array.from(bars, (b) => b.v),
  };
}

interface Comparison {
  mismatches: string[];
  maxAbs: number[];
  maxRel: number[];
  compared: number;
}

function compare(
  produce: (i: number) => Float64Array | null,
  count: number,
  expectedAt: (i: number) => number[] | Float64Array | null | undefined,
): Comparison {
  const maxAbs = new Array<number>(FEATURE_COUNT).fill(0);
  const maxRel = new Array<number>(FEATURE_COUNT).fill(0);
  const mismatches: string[] = [];
  let compared = 0;
  for (let i = 0; i < count; i++) {
    const got = produce(i);
    const want = expectedAt(i);
    if ((got === null) !== (want === null || want === undefined)) {
      mismatches.push(`bar ${i}: output ${got === null ? 'missing' : 'unexpected'}`);
      continue;
    }
    if (got === null || !want) continue;
    compared++;
    for (let k = 0; k < FEATURE_COUNT; k++) {
      const a = got[k]!;
      const b = want[k]!;
      const abs = Math.abs(a - b);
      maxAbs[k] = Math.max(maxAbs[k]!, abs);
      if (b !== 0) maxRel[k] = Math.max(maxRel[k]!, abs / Math.abs(b));
      if (!within(a, b)) mismatches.push(`bar ${i} ${FEATURE_NAMES[k]}: got ${a}, want ${b}`);
    }
  }
  return { mismatches, maxAbs, maxRel, compared };
}

function summary(c: Comparison): string {
  return FEATURE_NAMES.map(
    (n, k) => `${n}: abs ${c.maxAbs[k]!.toExponential(2)} rel ${c.maxRel[k]!.toExponential(2)}`,
  ).join('\n');
}

/** Deterministic bars: a random walk with flat stretches, zero-volume runs and overnight gaps. */
function syntheticBars(n: number, seed: number): CsvBar[] {
  let s = seed >>> 0;
  const rand = (): number => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const bars: CsvBar[] = [];
  let ts = Date.UTC(2025, 2, 3, 14, 30);
  let price = 100;
  for (let i = 0; i < n; i++) {
    const regime = Math.floor(i / 97) % 7;
    if (regime !== 3) price = Math.max(1, price * (1 + (rand() - 0.5) * 0.004));
    price = Math.round(price * 100) / 100;
    const volume = regime === 5 ? 0 : Math.floor(rand() * 100_000);
    bars.push({ symbol: null, ts, o: price, h: price, l: price, c: price, v: volume });
    ts += i % 390 === 389 ? 17.5 * 3_600_000 : 60_000;
  }
  return bars;
}

describe('features: pandas parity on the seed-7 fixture', () => {
  const bars = loadBars();
  const expected = loadExpected();
  const expectedAt = (i: number): number[] | null => expected.rows.get(bars[i]!.ts) ?? null;

  it('the fixture is what the tests assume', () => {
    expect(expected.header).toEqual(['ts_ms', ...FEATURE_NAMES]);
    expect(bars).toHaveLength(1170);
    expect(expected.rows.size).toBe(bars.length - FEATURE_WINDOW_BARS + 1);
    // Every expected row belongs to a bar with a full window, and to no earlier bar.
    expect(expected.rows.has(bars[FEATURE_WINDOW_BARS - 2]!.ts)).toBe(false);
    expect(expected.rows.has(bars[FEATURE_WINDOW_BARS - 1]!.ts)).toBe(true);
  });

  it('the incremental pipeline matches every row and column within 1e-9 abs + 1e-9 rel', () => {
    const p = new FeaturePipeline();
    const c = compare((i) => p.update(bars[i]!), bars.length, expectedAt);
    expect(c.compared).toBe(expected.rows.size);
    expect(c.mismatches).toEqual([]);
    console.log(`pipeline vs pandas, max error per column:\n${summary(c)}`);
  });

  it('the full-frame reference matches every row and column', () => {
    const cols = columns(bars);
    const c = compare((i) => referenceFeatures(cols, i + 1), bars.length, expectedAt);
    expect(c.compared).toBe(expected.rows.size);
    expect(c.mismatches).toEqual([]);
  });

  it('the last-row recompute matches every row and column', () => {
    const cols = columns(bars);
    const c = compare((i) => recomputeLastRow(cols, i + 1), bars.length, expectedAt);
    expect(c.compared).toBe(expected.rows.size);
    expect(c.mismatches).toEqual([]);
  });

  it('covers the edge cases the fixture was built with', () => {
    const rows = [...expected.rows.values()];
    const col = (name: keyof typeof FeatureIndex): number[] => rows.map((r) => r[FeatureIndex[name]]!);
    // Flat stretch: 14 zero gains and zero losses → rsi 0/0 → NaN → 0, volatility exactly 0.
    expect(rows.some((r) => r[FeatureIndex.volatility] === 0 && r[FeatureIndex.rsi] === 0)).toBe(true);
    // Zero-volume run of 31 bars: a 20-bar mean of 0 → 0/0 → NaN → 0.
    expect(col('volume_ratio').filter((x) => x === 0).length).toBeGreaterThan(0);
    const zeroVolume = bars.filter((b) => b.v === 0).length;
    expect(zeroVolume).toBeGreaterThanOrEqual(20);
    // Two overnight gaps.
    const gaps = bars.filter((b, i) => i > 0 && b.ts - bars[i - 1]!.ts > 60_000);
    expect(gaps).toHaveLength(2);
  });

  it('matches around the overnight gaps: the windows run straight across them, as pandas does', () => {
    const p = new FeaturePipeline();
    const gapIndex = bars.findIndex((b, i) => i > 0 && b.ts - bars[i - 1]!.ts > 60_000);
    let checked = 0;
    for (let i = 0; i < bars.length; i++) {
      const f = p.update(bars[i]!);
      if (i < gapIndex || i > gapIndex + FEATURE_WINDOW_BARS || f === null) continue;
      const want = expectedAt(i)!;
      for (let k = 0; k < FEATURE_COUNT; k++) expect(within(f[k]!, want[k]!), `${i} ${FEATURE_NAMES[k]}`).toBe(true);
      checked++;
    }
    expect(checked).toBe(FEATURE_WINDOW_BARS + 1);
    // The first bar of the new session is at 09:30 New York time.
    expect(expectedAt(gapIndex)!.slice(FeatureIndex.hour, FeatureIndex.minute + 1)).toEqual([9, 30]);
  });
});

describe('features: incremental pipeline against the reference', () => {
  it('returns null until 50 bars exist, then a vector every bar', () => {
    const bars = syntheticBars(60, 1);
    const p = new FeaturePipeline();
    const outputs = bars.map((b) => p.update(b));
    expect(outputs.slice(0, FEATURE_WINDOW_BARS - 1).every((o) => o === null)).toBe(true);
    expect(outputs.slice(FEATURE_WINDOW_BARS - 1).every((o) => o !== null)).toBe(true);
    expect(p.barCount).toBe(60);
    const short = new FeaturePipeline();
    expect(syntheticBars(49, 2).map((b) => short.update(b))).toEqual(new Array(49).fill(null));
  });

  it('writes into one preallocated vector, from update and from push alike', () => {
    const p = new FeaturePipeline();
    const q = new FeaturePipeline();
    const seen = new Set<Float64Array>();
    for (const b of syntheticBars(80, 3)) {
      const f = p.update(b);
      const g = q.push(b.ts, b.c, b.v);
      if (f) seen.add(f);
      expect(g === null ? null : [...g]).toEqual(f === null ? null : [...f]);
    }
    expect([...seen]).toEqual([p.features]);
  });

  it('equals the reference on a 20k-bar series within tolerance (no drift)', () => {
    const bars = syntheticBars(20_000, 42);
    const cols = columns(bars);
    const p = new FeaturePipeline();
    const c = compare(
      (i) => p.update(bars[i]!),
      bars.length,
      (i) => referenceFeatures(cols, i + 1),
    );
    expect(c.compared).toBe(bars.length - FEATURE_WINDOW_BARS + 1);
    expect(c.mismatches.slice(0, 10)).toEqual([]);
  });

  it('equals the reference on a long series at a large price level', () => {
    // Prices near 50,000 and volumes near 1e9 make sliding sums large: a stress test for drift.
    const bars = syntheticBars(20_000, 7).map((b) => ({ ...b, c: b.c * 500, v: b.v * 10_000 + (b.ts % 7) }));
    const cols = columns(bars);
    const p = new FeaturePipeline();
    const c = compare(
      (i) => p.update(bars[i]!),
      bars.length,
      (i) => referenceFeatures(cols, i + 1),
    );
    expect(c.mismatches.slice(0, 10)).toEqual([]);
  });

  it('flat prices: rsi is 0 (0/0), volatility 0, sma and ema exactly the price', () => {
    const p = new FeaturePipeline();
    let f: Float64Array | null = null;
    for (let i = 0; i < 60; i++) f = p.update({ ts: Date.UTC(2025, 2, 3, 15, i), c: 101.37, v: 1000 });
    expect(f).not.toBeNull();
    expect(f![FeatureIndex.rsi]).toBe(0);
    expect(f![FeatureIndex.volatility]).toBe(0);
    expect(f![FeatureIndex.returns]).toBe(0);
    expect(f![FeatureIndex.sma_5]).toBe(101.37);
    expect(f![FeatureIndex.sma_20]).toBe(101.37);
    expect(f![FeatureIndex.ema_12]).toBe(101.37);
    expect(f![FeatureIndex.volume_ratio]).toBe(1);
  });

  it('only rising prices: loss 0 and gain > 0 → rsi 100', () => {
    const p = new FeaturePipeline();
    let f: Float64Array | null = null;
    for (let i = 0; i < 60; i++) f = p.update({ ts: Date.UTC(2025, 2, 3, 15, i), c: 100 + i * 0.01, v: 1000 });
    expect(f![FeatureIndex.rsi]).toBe(100);
  });

  it('zero volume: ratio 0/0 → 0, vwap 0/0 → 0 once the whole window has none', () => {
    const p = new FeaturePipeline();
    const cols: { ts: number; c: number; v: number }[] = [];
    for (let i = 0; i < 120; i++) cols.push({ ts: Date.UTC(2025, 2, 3, 15, i), c: 100 + (i % 3), v: i < 40 ? 500 : 0 });
    const ref = columns(cols);
    for (let i = 0; i < cols.length; i++) {
      const f = p.update(cols[i]!);
      if (!f) continue;
      const want = referenceFeatures(ref, i + 1)!;
      expect(f[FeatureIndex.volume_ratio]).toBe(want[FeatureIndex.volume_ratio]);
      expect(within(f[FeatureIndex.vwap]!, want[FeatureIndex.vwap]!), `vwap at ${i}`).toBe(true);
      if (i >= 40 + 19) expect(f[FeatureIndex.volume_ratio]).toBe(0);
      if (i >= 40 + 49) expect(f[FeatureIndex.vwap]).toBe(0);
      else expect(f[FeatureIndex.vwap]).toBeGreaterThan(0);
    }
  });

  it('volume that collapses by twelve orders of magnitude: ratio and vwap still match', () => {
    // Removing 1e12-share bars from a running sum leaves an absolute error of ~1e-4, which would
    // swamp a window of 1-share bars without compensated summation.
    const bars: { ts: number; c: number; v: number }[] = [];
    for (let i = 0; i < 400; i++) {
      const v = i % 130 < 40 ? 1e12 + i * 1234.5678 : 1 + (i % 7) * 0.37;
      bars.push({ ts: Date.UTC(2025, 2, 3, 15, i), c: 100 + (i % 5) * 0.37 + i * 0.001, v });
    }
    const cols = columns(bars);
    const p = new FeaturePipeline();
    const c = compare(
      (i) => p.update(bars[i]!),
      bars.length,
      (i) => referenceFeatures(cols, i + 1),
    );
    expect(c.mismatches.slice(0, 10)).toEqual([]);
  });

  it('hour and minute are New York wall-clock time, across the DST change', () => {
    const p = new FeaturePipeline();
    // 2025-03-07 (EST) then 2025-03-10 (EDT): 15:00 UTC is 10:00 then 11:00 in New York.
    let f: Float64Array | null = null;
    for (let i = 0; i < 50; i++) f = p.update({ ts: Date.UTC(2025, 2, 7, 14, 11 + i), c: 100, v: 1 });
    expect([f![FeatureIndex.hour], f![FeatureIndex.minute]]).toEqual([10, 0]);
    f = p.update({ ts: Date.UTC(2025, 2, 10, 15, 0), c: 100, v: 1 });
    expect([f![FeatureIndex.hour], f![FeatureIndex.minute]]).toEqual([11, 0]);
  });

  it('rejects a bar with a non-positive or non-finite close, a bad volume or a NaN time, leaving its state untouched', () => {
    const bars = syntheticBars(80, 9);
    const p = new FeaturePipeline();
    const clean = new FeaturePipeline();
    for (let i = 0; i < bars.length; i++) {
      if (i === 60) {
        for (const bad of [
          { c: 0, v: 1 },
          { c: -1, v: 1 },
          { c: NaN, v: 1 },
          { c: Infinity, v: 1 },
          { c: 100, v: -1 },
          { c: 100, v: NaN },
          { ts: NaN, c: 100, v: 1 },
        ]) {
          expect(() => p.update({ ts: bars[i]!.ts, ...bad })).toThrow(RangeError);
        }
      }
      const a = p.update(bars[i]!);
      const e = clean.update(bars[i]!);
      expect(a === null ? null : [...a]).toEqual(e === null ? null : [...e]);
    }
    expect(p.barCount).toBe(80);
  });

  it('reset starts the window again', () => {
    const bars = syntheticBars(120, 5);
    const p = new FeaturePipeline();
    for (const b of bars.slice(0, 70)) p.update(b);
    p.reset();
    const fresh = new FeaturePipeline();
    for (const b of bars.slice(70)) {
      const a = p.update(b);
      const e = fresh.update(b);
      expect(a === null ? null : [...a]).toEqual(e === null ? null : [...e]);
    }
  });

  it('keeps one pipeline per symbol', () => {
    const book = new FeaturePipelines();
    const a = syntheticBars(50, 11);
    const b = syntheticBars(49, 12);
    let last: Float64Array | null = null;
    for (let i = 0; i < 50; i++) {
      last = book.update({ ...a[i]!, symbol: 'NVDA' });
      if (i < 49) expect(book.update({ ...b[i]!, symbol: 'AAPL' })).toBeNull();
    }
    expect(last).not.toBeNull();
    expect(book.symbols.sort()).toEqual(['AAPL', 'NVDA']);
    expect(book.drop('AAPL')).toBe(true);
    expect(book.has('AAPL')).toBe(false);
  });
});
