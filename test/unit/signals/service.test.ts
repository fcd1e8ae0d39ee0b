import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../../../src/shared/domain';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import { FEATURE_COUNT } from '../../../src/main/features/names';
import { FeaturePipeline } from '../../../src/main/features/pipeline';
import type { Policy, PolicyKind } from '../../../src/main/inference/policy';
import { MlpPolicy } from '../../../src/main/inference/stub';
import { loadWeights } from '../../../src/main/inference/weights';
import { Metrics } from '../../../src/main/observability/metrics';
import { DEFAULT_GATE_SETTINGS, SignalGate } from '../../../src/main/signals/gate';
import { SignalService } from '../../../src/main/signals/service';

/** Monday 2025-03-03 10:00 New York: bar i opens at T0 + i minutes. */
const T0 = Date.UTC(2025, 2, 3, 15, 0);
const MIN = 60_000;

function bar(symbol: string, i: number, c: number, extra: Partial<StoredBar> = {}): StoredBar {
  return {
    symbol,
    interval: '1m',
    ts: T0 + i * MIN,
    o: c,
    h: c,
    l: c,
    c,
    v: 1000 + i,
    vw: null,
    n: null,
    provider: 'built',
    asOf: 0,
    status: 'live',
    ...extra,
  };
}

const price = (i: number, base = 200) => base * (1 + 0.001 * i) + (i % 3) * 0.05;

/** A policy that records what it saw and answers a fixed action. */
function spy(kind: PolicyKind, action: number, confidence = 0.9) {
  const seen: Float64Array[] = [];
  const n = kind === 'single' ? 3 : 9;
  const probs = new Float64Array(n).fill((1 - confidence) / (n - 1));
  probs[action] = confidence;
  const policy: Policy = {
    kind,
    name: 'spy',
    infer: (obs) => {
      seen.push(Float64Array.from(obs));
      return { probs, action, confidence };
    },
  };
  return { policy, seen };
}

function setup(
  opts: { single?: Policy; dual?: Policy | null; pair?: [string, string] | null; watched?: string[] } = {},
) {
  const clock = new SimulatedClock(T0);
  let us = 1000;
  const emitted: Signal[] = [];
  const recorded: Signal[] = [];
  const metrics = new Metrics();
  const watched = opts.watched ?? ['NVDA', 'MSFT', 'AAPL'];
  const service = new SignalService({
    clock,
    monotonicUs: () => (us += 25),
    single: opts.single ?? spy('single', 2).policy,
    dual: opts.dual === undefined ? spy('dual', 7).policy : opts.dual,
    pair: opts.pair === undefined ? ['NVDA', 'MSFT'] : opts.pair,
    gate: new SignalGate({ ...DEFAULT_GATE_SETTINGS, cooldownMs: 0 }, { clock, tradingState: () => 'ACTIVE' }),
    record: (s) => recorded.push(s),
    emit: (s) => emitted.push(s),
    mode: () => 'shadow',
    isWatched: (s) => watched.includes(s),
    metrics,
  });
  /** Closes bar i of symbol: the clock is at its end, as when the aggregator closes it. */
  const close = (b: StoredBar, kind: 'closed' | 'amended' | 'provider' = 'closed') => {
    clock.set(Math.max(clock.now(), b.ts + MIN));
    service.onBar(b, kind);
  };
  return { clock, service, emitted, recorded, metrics, close };
}

describe('SignalService', () => {
  it('decides nothing before 50 bars, then one recorded and emitted decision per closed bar', () => {
    const { single, seen } = { single: spy('single', 2), seen: [] as Float64Array[] };
    const s = setup({ single: single.policy });
    for (let i = 0; i < 49; i++) s.close(bar('AAPL', i, price(i)));
    expect(s.recorded).toHaveLength(0);
    s.close(bar('AAPL', 49, price(49)));
    s.close(bar('AAPL', 50, price(50)));
    expect(s.recorded).toHaveLength(2);
    expect(s.emitted).toEqual(s.recorded);
    const d = s.recorded[1]!;
    expect(d).toMatchObject({
      policy: 'single',
      symbols: ['AAPL'],
      action: 'BUY',
      legs: [{ symbol: 'AAPL', side: 'BUY' }],
      barTs: T0 + 50 * MIN,
      ts: T0 + 51 * MIN,
      passed: true,
      reason: null,
      mode: 'shadow',
    });
    expect(d.latencyUs).toBe(25); // one monotonic read at onBar, one after the gate
    expect(single.seen).toHaveLength(2);
    expect(seen).toHaveLength(0);
    // Observation: the pipeline's features, then position 0.
    const ref = new FeaturePipeline();
    let want: Float64Array | null = null;
    for (let i = 0; i <= 50; i++) want = ref.push(T0 + i * MIN, price(i), 1000 + i);
    expect(Array.from(single.seen[1]!.subarray(0, FEATURE_COUNT))).toEqual(Array.from(want!));
    expect(single.seen[1]![FEATURE_COUNT]).toBe(0);
    expect(s.service.lastSignal('AAPL')).toBe(d);
  });

  it('latency runs from the stamped closing event, not from when the bar reaches the service', () => {
    const s = setup();
    for (let i = 0; i < 49; i++) s.close(bar('AAPL', i, price(i)));
    s.service.eventStarted(); // monotonic 1000 + 25·k
    s.close(bar('AAPL', 49, price(49)));
    s.service.eventEnded();
    expect(s.recorded[0]!.latencyUs).toBe(25);
    expect(s.service.latencyP95Ms('AAPL')).toBe(0.025);
    expect(s.service.latencyP95Ms('NVDA')).toBeNull();
  });

  it('a provider or amended bar for a minute already decided replaces it: no second decision, no double count', () => {
    const single = spy('single', 2);
    const s = setup({ single: single.policy });
    for (let i = 0; i < 50; i++) s.close(bar('AAPL', i, price(i)));
    expect(s.recorded).toHaveLength(1);
    // The provider's bar for minute 49 differs from ours; then a repeat of it; then an amendment.
    s.close(bar('AAPL', 49, price(49) + 0.5, { provider: 'polygon', v: 5000 }), 'provider');
    s.close(bar('AAPL', 49, price(49) + 0.5, { provider: 'polygon', v: 5000 }), 'provider');
    s.close(bar('AAPL', 30, price(30) - 0.2, { status: 'amended' }), 'amended');
    expect(s.recorded).toHaveLength(1);
    expect(s.service.revisions).toBe(3);
    s.close(bar('AAPL', 50, price(50)));
    expect(s.recorded).toHaveLength(2);
    // The features equal a fresh pipeline over the corrected bars: each minute counted once.
    const ref = new FeaturePipeline();
    let want: Float64Array | null = null;
    for (let i = 0; i <= 50; i++) {
      const c = i === 49 ? price(49) + 0.5 : i === 30 ? price(30) - 0.2 : price(i);
      want = ref.push(T0 + i * MIN, c, i === 49 ? 5000 : 1000 + i);
    }
    const got = single.seen[1]!.subarray(0, FEATURE_COUNT);
    for (let k = 0; k < FEATURE_COUNT; k++) expect(got[k]!).toBeCloseTo(want![k]!, 9);
  });

  it('a late bar for a missing minute is inserted into the window, without a decision', () => {
    const single = spy('single', 2);
    const s = setup({ single: single.policy });
    for (let i = 0; i < 51; i++) if (i !== 40) s.close(bar('AAPL', i, price(i)));
    expect(s.recorded).toHaveLength(1); // the 50th bar is minute 50
    s.close(bar('AAPL', 40, price(40)), 'provider');
    expect(s.recorded).toHaveLength(1);
    s.close(bar('AAPL', 51, price(51)));
    expect(s.recorded).toHaveLength(2);
    const ref = new FeaturePipeline();
    let want: Float64Array | null = null;
    for (let i = 2; i <= 51; i++) want = ref.push(T0 + i * MIN, price(i), 1000 + i); // the trailing 50
    const got = single.seen[1]!.subarray(0, FEATURE_COUNT);
    for (let k = 0; k < FEATURE_COUNT; k++) expect(got[k]!).toBeCloseTo(want![k]!, 9);
  });

  it('an invalid bar is refused and changes nothing', () => {
    const s = setup();
    for (let i = 0; i < 50; i++) s.close(bar('AAPL', i, price(i)));
    expect(() => s.service.onBar(bar('AAPL', 49, 0), 'provider')).toThrow(RangeError);
    expect(() => s.service.onBar(bar('AAPL', 50, NaN), 'closed')).toThrow(RangeError);
    s.close(bar('AAPL', 50, price(50)));
    expect(s.recorded).toHaveLength(2);
  });

  it('a throwing policy is decided as HOLD, confidence 0, blocked with inference_error, recorded and counted', () => {
    const broken: Policy = {
      kind: 'single',
      name: 'broken',
      infer: () => {
        throw new Error('weights corrupt');
      },
    };
    const s = setup({ single: broken });
    for (let i = 0; i < 51; i++) s.close(bar('AAPL', i, price(i)));
    expect(s.recorded).toHaveLength(2);
    expect(s.recorded[0]).toMatchObject({
      action: 'HOLD',
      confidence: 0,
      passed: false,
      reason: 'inference_error',
      detail: 'inference failed: weights corrupt',
      probs: [0, 0, 0],
    });
    const stats = s.service.stats(['AAPL']);
    expect(stats).toMatchObject({ decisions: 2, passed: 0, blocked: 2, inferenceErrors: 2 });
    expect(stats.blockedByReason).toEqual({ inference_error: 2 });
  });

  it('the pair decides once per minute when both legs have that minute, with the dual policy', () => {
    const dual = spy('dual', 7); // BUY_A_HOLD_B
    const single = spy('single', 0);
    const s = setup({ single: single.policy, dual: dual.policy });
    for (let i = 0; i < 50; i++) {
      s.close(bar('NVDA', i, price(i, 180)));
      expect(s.recorded).toHaveLength(0); // waits for MSFT's bar of the same minute
      s.close(bar('MSFT', i, price(i, 480)));
    }
    expect(s.recorded).toHaveLength(1);
    const d = s.recorded[0]!;
    expect(d).toMatchObject({
      policy: 'dual',
      symbols: ['NVDA', 'MSFT'],
      action: 'BUY_A_HOLD_B',
      legs: [
        { symbol: 'NVDA', side: 'BUY' },
        { symbol: 'MSFT', side: 'HOLD' },
      ],
      barTs: T0 + 49 * MIN,
    });
    expect(dual.seen[0]).toHaveLength(26);
    expect(dual.seen[0]![11]).toBe(price(49, 180)); // A's close
    expect(dual.seen[0]![13 + 11]).toBe(price(49, 480)); // B's close
    expect(single.seen).toHaveLength(0);
    expect(s.service.lastSignal('NVDA')).toBe(d);
    expect(s.service.lastSignal('MSFT')).toBe(d);

    // MSFT first this time; then a minute NVDA has no bar for: unmatched, not decided.
    s.close(bar('MSFT', 50, price(50, 480)));
    s.close(bar('NVDA', 50, price(50, 180)));
    s.close(bar('MSFT', 51, price(51, 480)));
    s.close(bar('MSFT', 52, price(52, 480)));
    s.close(bar('NVDA', 52, price(52, 180)));
    expect(s.recorded.map((r) => r.barTs)).toEqual([49, 50, 52].map((i) => T0 + i * MIN));
    expect(s.service.stats([]).pairUnmatched).toBe(1);
  });

  it('a pair leg whose partner is not watched gets the single policy', () => {
    const single = spy('single', 2);
    const s = setup({ single: single.policy, watched: ['NVDA'] });
    for (let i = 0; i < 50; i++) s.close(bar('NVDA', i, price(i, 180)));
    expect(s.recorded[0]).toMatchObject({ policy: 'single', symbols: ['NVDA'] });
  });

  it('warms up from stored bars without deciding; the first live bar decides', () => {
    const s = setup();
    s.service.warmUp(Array.from({ length: 60 }, (_, i) => bar('AAPL', i, price(i))));
    expect(s.recorded).toHaveLength(0);
    s.close(bar('AAPL', 60, price(60)));
    expect(s.recorded).toHaveLength(1);
  });

  it('with the shipped weights, a rising tape passes a BUY; metrics count it', async () => {
    const resources = path.resolve('resources');
    const s = setup({
      single: new MlpPolicy(loadWeights('models/single.json', resources)),
      dual: new MlpPolicy(loadWeights('models/dual-nvda-msft.json', resources)),
    });
    for (let i = 0; i < 50; i++) s.close(bar('AAPL', i, 200 * 1.001 ** i));
    expect(s.recorded[0]).toMatchObject({ action: 'BUY', passed: true });
    expect(s.recorded[0]!.confidence).toBeGreaterThan(0.6);
    const text = await s.metrics.text();
    expect(text).toMatch(/kestrel_signals_total\{result="passed",reason="none"\} 1/);
    expect(text).toMatch(/kestrel_signal_decision_latency_seconds_count 1/);
  });

  it('refuses a policy of the wrong kind and a pair of one symbol', () => {
    expect(() => setup({ single: spy('dual', 0).policy })).toThrow(/single-symbol policy has kind 'dual'/);
    expect(() => setup({ pair: ['NVDA', 'NVDA'] })).toThrow(/two symbols/);
  });
});
