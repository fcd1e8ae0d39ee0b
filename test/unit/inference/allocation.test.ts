import path from 'node:path';
import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { GuardedPolicy } from '../../../src/main/inference/policy';
import { MlpPolicy } from '../../../src/main/inference/stub';
import { loadWeights } from '../../../src/main/inference/weights';

// Its own file (own process, fresh JIT feedback), like the feature pipeline's allocation test.
describe('policy allocation', () => {
  it('infer/decide allocate nothing per call once warm (young-generation growth, median of windows without a scavenge)', () => {
    const policy = new GuardedPolicy(
      new MlpPolicy(loadWeights('models/dual-nvda-msft.json', path.resolve('resources'))),
    );
    const obs = Array.from({ length: 64 }, (_, k) =>
      Float64Array.from({ length: 26 }, (_, i) => 100 + ((k * 31 + i * 7) % 53)),
    );
    const run = (n: number): number => {
      let acc = 0;
      for (let i = 0; i < n; i++) acc += policy.decide(obs[i & 63]!).confidence;
      return acc;
    };
    run(50_000);
    const youngBytes = (): number =>
      v8.getHeapSpaceStatistics().find((sp) => sp.space_name === 'new_space')!.space_used_size;
    let overhead = youngBytes();
    overhead = youngBytes() - overhead;
    // Windows of 10k calls dilute what the test runner itself allocates meanwhile (a real per-call
    // allocation of even 8 bytes still shows in every window); a window in which a scavenge ran
    // reads low and is skipped rather than counted.
    const perCall: number[] = [];
    for (let w = 0; w < 15; w++) {
      const before = youngBytes();
      run(10_000);
      const after = youngBytes();
      if (after < before) continue;
      perCall.push((after - before - overhead) / 10_000);
    }
    expect(perCall.length).toBeGreaterThanOrEqual(5);
    perCall.sort((a, b) => a - b);
    expect(perCall[Math.floor(perCall.length / 2)]).toBeLessThan(2);
  });
});
