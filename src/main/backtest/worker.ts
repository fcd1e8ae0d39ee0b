/**
 * Runs a backtest in a worker_thread so the engine (and the app's UI) stay responsive: progress
 * events (bars done of total, at most ~10 per second) and cancellation through an AbortSignal.
 *
 * The worker is the built out/main/backtestWorker.js (an electron-vite entry). Source TypeScript
 * cannot be loaded by a worker, so under vitest call `backtest()` (run.ts) in-process, or pass the
 * built file as `workerFile`.
 *
 * Cancelling sets a shared flag that the runner polls every few thousand bars, then resolves with
 * { status: 'cancelled' }; if the worker does not answer within CANCEL_GRACE_MS it is terminated
 * (and the outcome is the same).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { SystemClock, type Clock } from '../clock';
import { parseParams, type BacktestParamsInput } from './params';
import type { BacktestResult } from './result';
import type { RunSummary } from './runner';
import { BacktestDataError, GapError } from './source';
import type { WorkerInput, WorkerMessage } from './workerProtocol';

const WORKER_FILE = 'backtestWorker.js';
const CANCEL_GRACE_MS = 5_000;

export interface BacktestProgress {
  done: number;
  total: number;
}

export interface RunInWorkerOptions {
  onProgress?: (p: BacktestProgress) => void;
  signal?: AbortSignal;
  /** The built worker; default: backtestWorker.js beside this bundle (out/main/). */
  workerFile?: string;
  /** Default: the resources dir beside the build (out/main → ../../resources). */
  resourcesDir?: string;
  /** For generatedAt. */
  clock?: Clock;
}

export type WorkerOutcome =
  { status: 'done'; result: BacktestResult; summary: RunSummary } | { status: 'cancelled'; barsDone: number };

/** Where the built worker is: beside this module, or one level up when this code sits in out/main/chunks/. */
export function defaultWorkerFile(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.join(here, WORKER_FILE), path.join(here, '..', WORKER_FILE)];
  const found = candidates.find((f) => fs.existsSync(f));
  if (!found) {
    throw new Error(`the backtest worker is not built (looked for ${candidates.join(', ')}); run \`npm run build\``);
  }
  return found;
}

export function runInWorker(input: BacktestParamsInput, opts: RunInWorkerOptions = {}): Promise<WorkerOutcome> {
  // Validate here: a bad request fails at once with the field named, without starting a thread.
  parseParams(input);
  const workerFile = opts.workerFile ?? defaultWorkerFile();
  const resourcesDir = opts.resourcesDir ?? path.resolve(path.dirname(workerFile), '../../resources');
  if (opts.signal?.aborted) return Promise.resolve({ status: 'cancelled', barsDone: 0 });

  const cancelFlag = new SharedArrayBuffer(4);
  const workerData: WorkerInput = {
    params: input,
    resourcesDir,
    now: (opts.clock ?? new SystemClock()).now(),
    cancelFlag,
  };
  const worker = new Worker(workerFile, { workerData });
  return new Promise<WorkerOutcome>((resolve, reject) => {
    let settled = false;
    let barsDone = 0;
    let grace: ReturnType<typeof setTimeout> | undefined;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(grace);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      Atomics.store(new Int32Array(cancelFlag), 0, 1);
      grace = setTimeout(() => finish(() => resolve({ status: 'cancelled', barsDone })), CANCEL_GRACE_MS);
    };
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'progress':
          barsDone = m.done;
          if (!settled) opts.onProgress?.({ done: m.done, total: m.total });
          return;
        case 'done':
          // A cancel that arrived after the last bar: the run did finish, report it as done.
          return finish(() => resolve({ status: 'done', result: m.result, summary: m.summary }));
        case 'cancelled':
          return finish(() => resolve({ status: 'cancelled', barsDone: m.barsDone }));
        case 'error':
          return finish(() =>
            reject(
              m.kind === 'gaps' && m.gaps
                ? new GapError(m.gaps)
                : m.kind === 'data'
                  ? Object.assign(new BacktestDataError(''), { message: m.message })
                  : new Error(m.message),
            ),
          );
      }
    });
    worker.on('error', (err) => finish(() => reject(err)));
    worker.on('exit', (code) =>
      finish(() =>
        opts.signal?.aborted
          ? resolve({ status: 'cancelled', barsDone })
          : reject(new Error(`the backtest worker exited (code ${code}) without a result`)),
      ),
    );
  });
}
