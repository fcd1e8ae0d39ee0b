import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { FeaturePipeline } from '../../../src/main/features/pipeline';

// Its own file (so its own process and fresh JIT feedback): V8 only keeps the bar's doubles
// unboxed while update() sees few bar shapes. Fed many shapes (as the parity tests do), one heap
// number per bar (16 bytes) can appear from loading the bar's fields, which is V8's doing, not ours.
describe('FeaturePipeline allocation', () => {
  it('allocates nothing per bar once warm (young-generation growth, median of 9 windows)', () => {
    let s = 99;
    const rand = (): number => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
    let price = 180;
    const bars = Array.from({ length: 50_000 }, (_, i) => {
      price = Math.round(price * (1 + (rand() - 0.5) * 0.004) * 100) / 100;
      return { ts: Date.UTC(2025, 2, 3, 14, 30) + i * 60_000, c: price, v: Math.floor(rand() * 10_000) + 0.5 };
    });
    const p = new FeaturePipeline();
    const feed = (from: number, to: number): number => {
      let acc = 0;
      for (let i = from; i < to; i++) {
        const f = p.update(bars[i]!);
        if (f !== null) acc += f[4]!;
      }
      return acc;
    };
    for (let r = 0; r < 10; r++) {
      p.reset();
      feed(0, 40_000);
    }
    const youngBytes = (): number =>
      v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
    // What the measurement itself allocates (getHeapSpaceStatistics builds its result objects).
    let overhead = youngBytes();
    overhead = youngBytes() - overhead;
    const perBar: number[] = [];
    for (let w = 0; w < 9; w++) {
      const from = 40_000 + w * 1000;
      const before = youngBytes();
      feed(from, from + 1000);
      perBar.push((youngBytes() - before - overhead) / 1000);
    }
    perBar.sort((a, b) => a - b);
    // A boxed double is 16 bytes, so even one per bar shows; a scavenge inside a window only lowers it.
    expect(perBar[4]).toBeLessThan(2);
  });
});
