/**
 * The worker_thread entry (built to out/main/backtestWorker.js): runs one backtest and reports
 * progress (at most ~10 per second), the result, a cancellation or an error to the parent.
 * Cancellation is cooperative: the parent sets a shared flag that the runner polls every few
 * thousand bars (a synchronous loop never sees a message); the parent terminates as a fallback.
 */
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { backtest } from './run';
import { BacktestDataError, GapError } from './source';
import type { WorkerInput, WorkerMessage } from './workerProtocol';

const PROGRESS_EVERY_MS = 100;

function post(message: WorkerMessage): void {
  parentPort!.postMessage(message);
}

function main(input: WorkerInput): void {
  const cancel = new Int32Array(input.cancelFlag);
  let lastProgress = -Infinity;
  try {
    const outcome = backtest(
      input.params,
      { resourcesDir: input.resourcesDir, now: input.now },
      {
        onProgress: (done, total) => {
          const t = performance.now();
          if (t - lastProgress < PROGRESS_EVERY_MS && done < total) return;
          lastProgress = t;
          post({ type: 'progress', done, total });
        },
        shouldStop: () => Atomics.load(cancel, 0) !== 0,
      },
    );
    if (outcome.status === 'cancelled') post({ type: 'cancelled', barsDone: outcome.barsDone });
    else post({ type: 'done', result: outcome.result, summary: outcome.summary });
  } catch (err) {
    const e = err as Error;
    post({
      type: 'error',
      kind: err instanceof GapError ? 'gaps' : err instanceof BacktestDataError ? 'data' : 'other',
      message: e.message,
      ...(err instanceof GapError ? { gaps: err.gaps } : {}),
    });
  }
}

if (parentPort) main(workerData as WorkerInput);
