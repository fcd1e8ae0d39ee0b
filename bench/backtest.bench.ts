/**
 * Backtest throughput: 2 symbols, ≥ 1M synthetic minute bars (≈ 5 years of NYSE sessions), the
 * full pipeline (features → policy → gate → risk → simulated broker → portfolio, next-open fills,
 * IB fixed commissions). Reported:
 * - the production path: the built worker (out/main/backtestWorker.js, bundled JS), loop and
 *   loop + result assembly, bar generation excluded;
 * - the same runner in-process under vitest (source TypeScript through vitest's module runner,
 *   which makes every imported binding a getter call: slower than the bundle);
 * - a naive baseline measured in the same run: a per-bar loop that recomputes the features from
 *   the full 50-bar window (reference.ts, the pandas semantics), runs the same policy, fills at
 *   the next open and marks equity, on the first 20,000 bars of the same data.
 * External reference: backtrader, ~15k bars/s in CPython (its own published figure). Target
 * ≥ 250k bars/s; stretch 1M.
 */
import { execSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { describe, expect, it } from 'vitest';
import { parseParams } from '../src/main/backtest/params';
import { runBacktest } from '../src/main/backtest/runner';
import { loadBacktestData, type SymbolSeries } from '../src/main/backtest/source';
import { runInWorker } from '../src/main/backtest/worker';
import { FEATURE_COUNT } from '../src/main/features/names';
import { referenceFeatures } from '../src/main/features/reference';
import { MlpPolicy } from '../src/main/inference/stub';
import { loadWeights } from '../src/main/inference/weights';
import { printBench } from './report';

const RESOURCES = path.resolve('resources');
const WORKER = path.resolve('out/main/backtestWorker.js');
const BACKTRADER_BARS_PER_S = 15_000;
const params = {
  source: { kind: 'synthetic' as const, seed: 20_240_601 },
  symbols: ['NVDA', 'MSFT'],
  // ≈ 1,300 sessions × 390 minutes × 2 symbols (less early closes) ≥ 1.0M bars.
  from: Date.UTC(2021, 0, 4),
  to: Date.UTC(2026, 2, 2),
  commission: 'ib-fixed' as const,
};

/** The naive loop: features from scratch over the trailing 50 bars on every bar. */
function naiveBarsPerSecond(series: SymbolSeries[], bars: number): number {
  const policy = new MlpPolicy(loadWeights('models/single.json', RESOURCES));
  const obs = new Float64Array(FEATURE_COUNT + 1);
  const per = Math.floor(bars / series.length);
  const cols = series.map((s) => ({
    ts: s.ts.subarray(0, per),
    close: s.c.subarray(0, per),
    volume: s.v.subarray(0, per),
  }));
  const pos = series.map(() => 0);
  const pending = series.map(() => 0);
  let cash = 100_000;
  const t0 = performance.now();
  for (let i = 0; i < per; i++) {
    let equity = cash;
    for (let k = 0; k < series.length; k++) {
      const s = series[k]!;
      if (pending[k] !== 0) {
        cash -= pending[k]! * s.o[i]! + 1;
        pos[k] = pos[k]! + pending[k]!;
        pending[k] = 0;
      }
      const f = referenceFeatures(cols[k]!, i + 1);
      if (f) {
        obs.set(f);
        obs[FEATURE_COUNT] = Math.sign(pos[k]!);
        const out = policy.infer(obs);
        if (out.confidence >= 0.6 && out.action === 2 && pos[k] === 0) pending[k] = Math.floor(47_500 / s.c[i]!);
        if (out.confidence >= 0.6 && out.action === 0 && pos[k]! > 0) pending[k] = -pos[k]!;
      }
      equity += pos[k]! * s.c[i]!;
    }
    expect(Number.isFinite(equity)).toBe(true);
  }
  return (per * series.length) / ((performance.now() - t0) / 1000);
}

describe('backtest benchmark', () => {
  it('end-to-end bars/s, 2 symbols, ≥ 1M minute bars', async () => {
    if (!fs.existsSync(WORKER)) execSync('npx electron-vite build', { stdio: 'ignore' });

    const p = parseParams(params);
    const tGen = performance.now();
    const data = loadBacktestData(p, { resourcesDir: RESOURCES, now: 0 });
    const genS = (performance.now() - tGen) / 1000;
    const bars = data.series.reduce((n, s) => n + s.ts.length, 0);
    expect(bars).toBeGreaterThanOrEqual(1_000_000);

    // Production path: the bundled worker (it generates its own bars; their time is excluded).
    const worker = await runInWorker(params, { workerFile: WORKER, resourcesDir: RESOURCES });
    if (worker.status !== 'done') throw new Error('worker run cancelled');
    const wt = worker.summary.timings;

    // In-process, source under vitest.
    const local = runBacktest(data, p, { resourcesDir: RESOURCES, generatedAt: 0, gaps: [] });
    if (local.status !== 'done') throw new Error('in-process run cancelled');
    const lt = local.summary.timings;
    expect(local.result.dataRange.bars).toBe(worker.result.dataRange.bars);
    expect(local.result.statistics.returns.endEquity).toBe(worker.result.statistics.returns.endEquity);

    const naive = naiveBarsPerSecond(data.series, 20_000);
    const workerLoop = bars / (wt.loopMs / 1000);
    printBench(
      `backtest: ${bars.toLocaleString('en-US')} minute bars, 2 symbols, full pipeline (${worker.summary.orders} orders; bar generation ${genS.toFixed(1)} s, not counted)`,
      [
        { name: 'built worker: pipeline loop', value: workerLoop, unit: 'bars/s', target: '≥ 250k, stretch 1M' },
        {
          name: 'built worker: loop + result assembly',
          value: bars / ((wt.loopMs + wt.assembleMs) / 1000),
          unit: 'bars/s',
        },
        { name: 'in-process (vitest, source TS): loop', value: bars / (lt.loopMs / 1000), unit: 'bars/s' },
        {
          name: 'in-process: loop + result assembly',
          value: bars / ((lt.loopMs + lt.assembleMs) / 1000),
          unit: 'bars/s',
        },
        { name: 'naive baseline (50-bar recompute per bar, 20k bars)', value: naive, unit: 'bars/s' },
        { name: 'backtrader (CPython, published, external)', value: BACKTRADER_BARS_PER_S, unit: 'bars/s' },
      ],
      { label: 'built worker loop / naive baseline', value: workerLoop / naive },
    );
    console.log(`  built worker loop / backtrader: ${(workerLoop / BACKTRADER_BARS_PER_S).toFixed(1)} x`);
    expect(workerLoop).toBeGreaterThan(0);
  });
});
