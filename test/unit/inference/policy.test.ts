import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DUAL_ACTIONS, SINGLE_ACTIONS } from '../../../src/shared/domain';
import { FEATURE_COUNT, FeatureIndex } from '../../../src/main/features/names';
import { FeaturePipeline } from '../../../src/main/features/pipeline';
import { GuardedPolicy, UnavailablePolicy, type Policy } from '../../../src/main/inference/policy';
import { MlpPolicy } from '../../../src/main/inference/stub';
import { loadWeights, observationNames, WEIGHTS_FORMAT, type WeightsFile } from '../../../src/main/inference/weights';

const MODELS = path.resolve('resources');
const single = () => new MlpPolicy(loadWeights('models/single.json', MODELS));
const dual = () => new MlpPolicy(loadWeights('models/dual-nvda-msft.json', MODELS));

/** Features of the 60th bar of a series with the given per-bar relative step. */
function featuresOf(price: number, step: number, bars = 60): Float64Array {
  const p = new FeaturePipeline();
  let f: Float64Array | null = null;
  const t0 = Date.UTC(2025, 2, 3, 14, 30);
  for (let i = 0; i < bars; i++) f = p.push(t0 + i * 60_000, price * (1 + step) ** i, 1000 + (i % 7) * 10);
  return Float64Array.from(f!);
}

function observation(...legs: Float64Array[]): Float64Array {
  const obs = new Float64Array(legs.length * (FEATURE_COUNT + 1));
  legs.forEach((f, k) => obs.set(f, k * (FEATURE_COUNT + 1))); // position 0: flat
  return obs;
}

function seeded(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sum = (a: ArrayLike<number>): number => Array.from(a).reduce((x, y) => x + y, 0);

describe('MlpPolicy', () => {
  it('is deterministic for fixed weights, across calls and instances', () => {
    const obs = observation(featuresOf(200, 0.001));
    const a = single();
    const first = Array.from(a.infer(obs).probs);
    expect(Array.from(a.infer(obs).probs)).toEqual(first);
    expect(Array.from(single().infer(obs).probs)).toEqual(first);
    const d = observation(featuresOf(180, 0.001), featuresOf(480, -0.001));
    expect(Array.from(dual().infer(d).probs)).toEqual(Array.from(dual().infer(d).probs));
  });

  it('returns probabilities that sum to 1, one per action, with confidence = prob of the argmax', () => {
    const rand = seeded(7);
    for (const [policy, n] of [
      [single(), SINGLE_ACTIONS.length],
      [dual(), DUAL_ACTIONS.length],
    ] as const) {
      const size = policy.kind === 'single' ? 13 : 26;
      for (let trial = 0; trial < 200; trial++) {
        const obs = Float64Array.from({ length: size }, () => (rand() - 0.5) * 10 ** Math.floor(rand() * 6));
        const out = policy.infer(obs);
        expect(out.probs).toHaveLength(n);
        expect(Math.abs(sum(out.probs) - 1)).toBeLessThan(1e-12);
        for (const p of out.probs) expect(p).toBeGreaterThanOrEqual(0);
        expect(out.confidence).toBe(Math.max(...out.probs));
        expect(out.probs[out.action]).toBe(out.confidence);
      }
    }
  });

  it('computes normalise → tanh/relu hidden layers → softmax as written', () => {
    const n = 13;
    const w: WeightsFile = {
      format: WEIGHTS_FORMAT,
      kind: 'single',
      name: 'tiny',
      observation: observationNames('single'),
      actions: [...SINGLE_ACTIONS],
      normalization: { mean: Array(n).fill(1), var: Array(n).fill(4), epsilon: 1e-8, clip: 1.2 },
      layers: [
        { name: 'h1', weight: [Array(n).fill(0.1), Array(n).fill(-0.2)], bias: [0.05, 0.1], activation: 'tanh' },
        {
          name: 'h2',
          weight: [
            [1, 2],
            [-1, 0.5],
          ],
          bias: [0, 0.3],
          activation: 'relu',
        },
        {
          name: 'out',
          weight: [
            [1, 0],
            [0, 1],
            [1, 1],
          ],
          bias: [0, 0, -0.5],
          activation: 'linear',
        },
      ],
    };
    const obs = Float64Array.from({ length: n }, (_, i) => i - 3); // some beyond the clip
    const x = Array.from(obs, (v) => Math.min(1.2, Math.max(-1.2, (v - 1) / Math.sqrt(4 + 1e-8))));
    const h1 = [Math.tanh(0.05 + 0.1 * sum(x)), Math.tanh(0.1 - 0.2 * sum(x))];
    const h2 = [Math.max(0, h1[0]! + 2 * h1[1]!), Math.max(0, -h1[0]! + 0.5 * h1[1]! + 0.3)];
    const logits = [h2[0]!, h2[1]!, h2[0]! + h2[1]! - 0.5];
    const z = logits.map((l) => Math.exp(l));
    const want = z.map((e) => e / sum(z));
    const got = new MlpPolicy(w).infer(obs);
    got.probs.forEach((p, k) => expect(p).toBeCloseTo(want[k]!, 14));
    expect(got.action).toBe(want.indexOf(Math.max(...want)));
  });

  it('stays finite on huge logits (softmax subtracts the max)', () => {
    const w = loadWeights('models/single.json', MODELS);
    w.normalization = null;
    const obs = new Float64Array(13);
    obs[FeatureIndex.sma_5] = 1e6;
    const out = new MlpPolicy(w).infer(obs);
    expect(out.action).toBe(2);
    expect(out.confidence).toBe(1);
    expect(sum(out.probs)).toBe(1);
  });
});

describe('default weights: momentum demo', () => {
  it('single: a rising tape (sma_5 > sma_20, RSI high) makes BUY the most probable, above 0.6', () => {
    const f = featuresOf(200, 0.001);
    expect(f[FeatureIndex.sma_5]!).toBeGreaterThan(f[FeatureIndex.sma_20]!);
    const out = single().infer(observation(f));
    expect(SINGLE_ACTIONS[out.action]).toBe('BUY');
    expect(out.confidence).toBeGreaterThan(0.6);
  });

  it('single: a falling tape makes SELL most probable; a flat one HOLD', () => {
    const down = single().infer(observation(featuresOf(200, -0.001)));
    expect(SINGLE_ACTIONS[down.action]).toBe('SELL');
    expect(down.confidence).toBeGreaterThan(0.6);
    const flat = single().infer(observation(featuresOf(200, 0)));
    expect(SINGLE_ACTIONS[flat.action]).toBe('HOLD');
  });

  it('dual: A rising and B flat → BUY_A_HOLD_B; A flat and B falling → HOLD_A_SELL_B; both rising → BUY_BOTH', () => {
    const p = dual();
    const act = (a: Float64Array, b: Float64Array) => DUAL_ACTIONS[p.infer(observation(a, b)).action];
    expect(act(featuresOf(180, 0.001), featuresOf(480, 0))).toBe('BUY_A_HOLD_B');
    expect(act(featuresOf(180, 0), featuresOf(480, -0.001))).toBe('HOLD_A_SELL_B');
    expect(act(featuresOf(180, 0.001), featuresOf(480, 0.001))).toBe('BUY_BOTH');
    expect(act(featuresOf(180, -0.001), featuresOf(480, 0.001))).toBe('SELL_A_BUY_B');
  });
});

describe('GuardedPolicy', () => {
  const throwing: Policy = {
    kind: 'dual',
    name: 'broken',
    infer: () => {
      throw new Error('boom');
    },
  };

  it('falls back to HOLD with confidence 0 when inference throws, and counts it', () => {
    const g = new GuardedPolicy(throwing);
    const out = g.decide(new Float64Array(26));
    expect(DUAL_ACTIONS[out.action]).toBe('HOLD_BOTH');
    expect(out.confidence).toBe(0);
    expect(out.error).toBe('boom');
    expect(Array.from(out.probs)).toEqual(Array(9).fill(0));
    g.decide(new Float64Array(26));
    expect(g.errors).toBe(2);
  });

  it('treats non-finite output and a wrong observation size as errors; recovers on the next good call', () => {
    const g = new GuardedPolicy(single());
    const nan = new Float64Array(13).fill(NaN);
    const bad = g.decide(nan);
    expect(SINGLE_ACTIONS[bad.action]).toBe('HOLD');
    expect(bad.confidence).toBe(0);
    expect(bad.error).toMatch(/invalid probabilities/);
    expect(g.decide(new Float64Array(5)).error).toMatch(/observation has 5 values, the single policy takes 13/);
    const good = g.decide(observation(featuresOf(200, 0.001)));
    expect(good.error).toBeNull();
    expect(SINGLE_ACTIONS[good.action]).toBe('BUY');
    expect(g.errors).toBe(2);
  });

  it('an unavailable policy (weights not loaded) always decides HOLD with the reason', () => {
    const g = new GuardedPolicy(new UnavailablePolicy('single', 'policy not loaded: missing file'));
    const out = g.decide(new Float64Array(13));
    expect(SINGLE_ACTIONS[out.action]).toBe('HOLD');
    expect(out.error).toBe('policy not loaded: missing file');
    expect(g.errors).toBe(1);
  });
});
