/**
 * A whole backtest in this thread: validate the params, load the bars, check the range for gaps
 * (refused unless allowGaps), run. The worker and the CLI call this; tests call it in-process.
 */
import { performance } from 'node:perf_hooks';
import { parseParams, type BacktestParamsInput } from './params';
import { runBacktest, type RunnerHooks, type RunResult } from './runner';
import { findGaps, GapError, loadBacktestData } from './source';
import type { Policy } from '../inference/policy';
import type { SimulatedClock } from '../clock';

export interface BacktestEnv {
  resourcesDir: string;
  /** Wall-clock time from the caller's Clock: the result's generatedAt. */
  now: number;
  policy?: Policy;
  clock?: SimulatedClock;
}

export function backtest(input: BacktestParamsInput, env: BacktestEnv, hooks: RunnerHooks = {}): RunResult {
  const params = parseParams(input);
  const t0 = performance.now();
  const data = loadBacktestData(params, { resourcesDir: env.resourcesDir, now: env.now });
  const t1 = performance.now();
  const gaps = findGaps(data);
  if (gaps.length > 0 && !params.allowGaps) throw new GapError(gaps);
  const t2 = performance.now();
  const out = runBacktest(
    data,
    params,
    {
      resourcesDir: env.resourcesDir,
      generatedAt: env.now,
      gaps,
      ...(env.policy ? { policy: env.policy } : {}),
      ...(env.clock ? { clock: env.clock } : {}),
    },
    hooks,
  );
  if (out.status === 'done') {
    out.summary.timings.loadMs = t1 - t0;
    out.summary.timings.gapCheckMs = t2 - t1;
  }
  return out;
}
