/**
 * End-to-end decision latency: two symbols stream synthetic trades through the same objects the
 * engine wires (BarAggregator/BarRecorder → FeaturePipeline → policy → gate → SignalRepo queue),
 * on a SimulatedClock; latency runs from the trade that closes a minute to the gated decision, on
 * performance.now(). Target from the issue: p99 ≤ 1 ms. Baseline, measured in the same run: a
 * decision that recomputes the 50-bar window from scratch (reference.ts, the pandas semantics)
 * and then runs the same policy. Prints figures; asserts only that decisions were made.
 */
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import type { Signal } from '../src/shared/domain';
import { BarRecorder } from '../src/main/bars/recorder';
import type { BarStore } from '../src/main/bars/types';
import { SimulatedClock } from '../src/main/clock';
import { FEATURE_COUNT, FEATURE_WINDOW_BARS } from '../src/main/features/names';
import { referenceFeatures } from '../src/main/features/reference';
import { MlpPolicy } from '../src/main/inference/stub';
import { loadWeights } from '../src/main/inference/weights';
import { DEFAULT_GATE_SETTINGS, SignalGate } from '../src/main/signals/gate';
import { SignalService } from '../src/main/signals/service';
import { openDatabase } from '../src/main/storage/db';
import { SignalRepo } from '../src/main/storage/signalRepo';
import { tempDir } from '../test/helpers/tmp';
import { nsPerOp, percentile, printBench } from './report';

const MINUTES = 20_000;
const TRADES_PER_MINUTE = 20;
const SYMBOLS = ['NVDA', 'MSFT'] as const;
const BASE = { NVDA: 180, MSFT: 480 } as const;
/** Monday 2025-03-03 09:30 New York. */
const T0 = Date.UTC(2025, 2, 3, 14, 30);

const nullStore: BarStore = {
  upsert: () => {},
  range: () => [],
  timestamps: () => [],
  latestTs: () => null,
  cursor: () => null,
  setCursor: () => {},
};

function rng(seed: number): () => number {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

interface Run {
  latencies: Float64Array;
  decisions: number;
  passed: number;
}

function run(pair: boolean): Run {
  const t = tempDir('kestrel-bench-');
  const db = openDatabase(t.dir);
  try {
    const resources = 'resources';
    const clock = new SimulatedClock(T0);
    const repo = new SignalRepo(db);
    const latencies: number[] = [];
    let passed = 0;
    const service = new SignalService({
      clock,
      monotonicUs: () => performance.now() * 1000,
      single: new MlpPolicy(loadWeights('models/single.json', resources)),
      dual: new MlpPolicy(loadWeights('models/dual-nvda-msft.json', resources)),
      pair: pair ? ['NVDA', 'MSFT'] : null,
      gate: new SignalGate(DEFAULT_GATE_SETTINGS, { clock, tradingState: () => 'ACTIVE' }),
      record: (s) => repo.append(s),
      emit: (s: Signal) => {
        latencies.push(s.latencyUs);
        if (s.passed) passed++;
      },
      mode: () => 'shadow',
      isWatched: () => true,
    });
    const recorder = new BarRecorder(nullStore, clock);
    recorder.subscribe((bar, kind) => service.onBar(bar, kind));

    const rand = rng(42);
    const price = { NVDA: BASE.NVDA as number, MSFT: BASE.MSFT as number };
    let id = 0;
    const step = 60_000 / TRADES_PER_MINUTE;
    for (let m = 0; m < MINUTES; m++) {
      // Minutes run back to back (no nights): the session check then passes or blocks as the calendar says.
      for (let k = 0; k < TRADES_PER_MINUTE; k++) {
        for (const symbol of SYMBOLS) {
          price[symbol] = Math.max(1, Math.round(price[symbol] * (1 + (rand() - 0.5) * 0.002) * 100) / 100);
          const ts = T0 + m * 60_000 + k * step + (symbol === 'MSFT' ? 7 : 0);
          clock.set(ts);
          // The first trade of a minute closes the previous minute's bar: the closing event.
          service.eventStarted();
          recorder.onEvent('synthetic', {
            type: 'trade',
            trade: {
              symbol,
              ts,
              price: price[symbol],
              size: 1 + Math.floor(rand() * 300),
              id: String(id++),
              provider: 'synthetic',
            },
          });
          service.eventEnded();
        }
      }
      // Storage runs on the engine's 1 s timer, between events: not on the decision path.
      if (m % 60 === 59) {
        recorder.flush();
        repo.flush();
      }
    }
    repo.flush();
    return { latencies: Float64Array.from(latencies).sort(), decisions: latencies.length, passed };
  } finally {
    db.close();
    t.cleanup();
  }
}

/** Baseline: per decision, recompute the 50-bar window from scratch (reference.ts) and run the policy. */
function baselineNs(): number {
  const n = 5_000;
  const rand = rng(7);
  const close = new Float64Array(n);
  const volume = new Float64Array(n);
  const ts = new Float64Array(n);
  let p = 180;
  for (let i = 0; i < n; i++) {
    p = Math.round(p * (1 + (rand() - 0.5) * 0.003) * 100) / 100;
    close[i] = p;
    volume[i] = Math.floor(rand() * 5000);
    ts[i] = T0 + i * 60_000;
  }
  const cols = { ts, close, volume };
  const policy = new MlpPolicy(loadWeights('models/single.json', 'resources'));
  const obs = new Float64Array(FEATURE_COUNT + 1);
  let end = FEATURE_WINDOW_BARS;
  let sink = 0;
  const ns = nsPerOp(
    () => {
      obs.set(referenceFeatures(cols, end)!);
      sink += policy.infer(obs).confidence;
      end = end + 1 > n ? FEATURE_WINDOW_BARS : end + 1;
    },
    20_000,
    2_000,
  );
  expect(Number.isFinite(sink)).toBe(true);
  return ns;
}

describe('signals benchmark', () => {
  it('tick → signal latency, 2 symbols streaming trades', () => {
    run(true); // warm-up (JIT), discarded
    const dual = run(true);
    const singles = run(false);
    const base = baselineNs();
    expect(dual.decisions).toBeGreaterThan(MINUTES * 0.9);
    expect(singles.decisions).toBeGreaterThan(MINUTES * 1.8);

    const row = (label: string, r: Run) => [
      { name: `${label}: decisions`, value: r.decisions, unit: `(${r.passed} passed)` },
      { name: `${label}: p50`, value: percentile(r.latencies, 50), unit: 'µs' },
      { name: `${label}: p99`, value: percentile(r.latencies, 99), unit: 'µs', target: '≤ 1000 µs' },
      { name: `${label}: max`, value: percentile(r.latencies, 100), unit: 'µs' },
    ];
    printBench(
      `signals: closing trade → gated decision (${MINUTES} minutes × ${TRADES_PER_MINUTE} trades × 2 symbols)`,
      [
        ...row('pair NVDA/MSFT (dual policy)', dual),
        ...row('NVDA, MSFT each (single policy)', singles),
        { name: 'baseline: 50-bar recompute + policy', value: base / 1000, unit: 'µs/decision' },
      ],
      { label: 'baseline / p50 (single policy)', value: base / 1000 / percentile(singles.latencies, 50) },
    );
  });
});
