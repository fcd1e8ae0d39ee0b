/** Messages between runInWorker (worker.ts) and the worker thread (backtestWorker.ts). */
import type { BacktestParamsInput } from './params';
import type { BacktestGap, BacktestResult } from './result';
import type { RunSummary } from './runner';

export interface WorkerInput {
  params: BacktestParamsInput;
  resourcesDir: string;
  /** generatedAt, from the parent's clock. */
  now: number;
  /** Int32Array(1) over a SharedArrayBuffer: non-zero asks the run to stop. */
  cancelFlag: SharedArrayBuffer;
}

export type WorkerMessage =
  | { type: 'progress'; done: number; total: number }
  | { type: 'done'; result: BacktestResult; summary: RunSummary }
  | { type: 'cancelled'; barsDone: number }
  | { type: 'error'; kind: 'gaps' | 'data' | 'other'; message: string; gaps?: BacktestGap[] };
