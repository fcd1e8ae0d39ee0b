/**
 * Backtests in the app: one run at a time in a worker thread, progress at most 10 Hz, cancel, and
 * every run kept in SQLite (backtest_runs) with its canonical result. Also reads history back as
 * panel views, compares two runs, and exports a run's reports into <dataDir>/reports/<runId>/.
 *
 * A run the engine was running when it died stays 'running' in SQLite; the service marks such rows
 * failed ('interrupted') when it starts, so the history never shows a run that nothing is running.
 */
import path from 'node:path';
import {
  BacktestRequest,
  type BacktestComparison,
  type BacktestExportFormat,
  type BacktestHeadline,
  type BacktestProgress,
  type BacktestRunInfo,
  type BacktestView,
} from '../../shared/domain';
import type { Clock } from '../clock';
import { CommandError } from '../errors';
import { nyDateKey } from '../time/newYork';
import type { BacktestRepo, BacktestRunRow } from '../storage/backtestRepo';
import { compareRuns } from './compare';
import { parseParams, type BacktestParamsInput } from './params';
import { writeReports } from './report';
import { canonicalJson, parseResult, type BacktestResult } from './result';
import { fillModelOf } from './runner';
import { headlineOf, viewOf } from './view';
import { runInWorker, type RunInWorkerOptions, type WorkerOutcome } from './worker';

const PROGRESS_EVERY_MS = 100;
const SP500_SYMBOL = 'SPX';

export type RunFn = (
  params: BacktestParamsInput,
  opts: Pick<RunInWorkerOptions, 'onProgress' | 'signal'>,
) => Promise<WorkerOutcome>;

export interface BacktestServiceOptions {
  repo: BacktestRepo;
  clock: Clock;
  dataDir: string;
  resourcesDir: string;
  emit: (progress: BacktestProgress) => void;
  /** Default: the built worker (runInWorker). Tests pass the in-process runner. */
  run?: RunFn;
  /** Monotonic ms for the progress throttle; default performance.now via the clock's wall time. */
  monotonicMs?: () => number;
  /** Chromium for PDF exports (KESTREL_CHROMIUM, then /usr/bin/chromium). */
  chromium?: string;
  /** The host's PDF printer (Electron's printToPDF in the app); Chromium when absent. */
  printPdf?: (html: string) => Promise<Uint8Array>;
}

interface Active {
  runId: number;
  abort: AbortController;
  done: Promise<void>;
}

/** The runner's params for an app request; the engine's data dir is the 'store'. */
export function paramsOfRequest(req: BacktestRequest, dataDir: string): BacktestParamsInput {
  const base = {
    symbols: req.symbols,
    from: req.from,
    to: req.to,
    initialCash: req.initialCash,
    slippageBps: req.slippageBps,
    commission: req.commission,
    fillAt: req.fillAt,
    allowGaps: req.allowGaps,
    policy: req.policy,
  };
  switch (req.data) {
    case 'store':
      return { ...base, source: { kind: 'sqlite', dataDir }, interval: req.interval };
    case 'sp500':
      return { ...base, source: { kind: 'dataset', name: 'sp500-daily' }, symbols: [], interval: '1d' };
    case 'synthetic':
      return { ...base, source: { kind: 'synthetic', seed: req.seed }, interval: '1m' };
  }
}

/** "SPX 1d 2000-01-03 – 2020-12-31 · next-open, 1 bps, IB fixed". */
export function labelOf(req: BacktestRequest, dataDir: string): string {
  const symbols = req.data === 'sp500' ? SP500_SYMBOL : req.symbols.join(',');
  const interval = req.data === 'sp500' ? '1d' : req.data === 'synthetic' ? '1m' : req.interval;
  const range =
    req.from === null && req.to === null
      ? 'all data'
      : `${req.from === null ? '…' : nyDateKey(req.from)} – ${req.to === null ? '…' : nyDateKey(req.to - 1)}`;
  const fill = fillModelOf(parseParams(paramsOfRequest(req, dataDir))).name;
  const source = req.data === 'synthetic' ? ` synthetic#${req.seed}` : '';
  return `${symbols} ${interval}${source} ${range} · ${fill}`;
}

export class BacktestService {
  private active: Active | null = null;
  private readonly run: RunFn;
  private stopped = false;

  constructor(private readonly opts: BacktestServiceOptions) {
    this.run =
      opts.run ?? ((params, o) => runInWorker(params, { ...o, clock: opts.clock, resourcesDir: opts.resourcesDir }));
  }

  /** Marks runs a previous process left 'running' as failed: interrupted. Returns how many. */
  recoverInterrupted(): number {
    return this.opts.repo.markInterrupted(this.opts.clock.now());
  }

  /** Starts a run; refuses while another runs. Bad parameters are INVALID_INPUT with the field named. */
  start(input: unknown): { runId: number } {
    if (this.stopped) throw new CommandError('UNAVAILABLE', 'the engine is stopping');
    const parsed = BacktestRequest.safeParse(input);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new CommandError('INVALID_INPUT', `${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
    }
    const req = parsed.data;
    let params: BacktestParamsInput;
    try {
      params = paramsOfRequest(req, this.opts.dataDir);
      parseParams(params);
    } catch (err) {
      throw new CommandError('INVALID_INPUT', (err as Error).message);
    }
    if (this.active) {
      throw new CommandError(
        'INVALID_STATE',
        `backtest ${this.active.runId} is still running: wait for it or cancel it first`,
      );
    }
    const runId = this.opts.repo.start(this.opts.clock.now(), JSON.stringify(req));
    const abort = new AbortController();
    const active: Active = { runId, abort, done: Promise.resolve() };
    this.active = active;
    active.done = this.execute(runId, params, abort.signal).finally(() => {
      if (this.active === active) this.active = null;
    });
    return { runId };
  }

  private async execute(runId: number, params: BacktestParamsInput, signal: AbortSignal): Promise<void> {
    const mono = this.opts.monotonicMs ?? (() => performance.now());
    let last = -Infinity;
    let done = 0;
    let total = 0;
    const emit = (status: BacktestProgress['status']) => this.opts.emit({ runId, done, total, status });
    emit('running');
    let outcome: WorkerOutcome | undefined;
    let error: string | null = null;
    try {
      outcome = await this.run(params, {
        signal,
        onProgress: (p) => {
          done = Math.round(p.done);
          total = Math.round(p.total);
          const t = mono();
          if (t - last < PROGRESS_EVERY_MS) return;
          last = t;
          emit('running');
        },
      });
    } catch (err) {
      error = (err as Error).message;
    }
    if (this.stopped) return; // storage is closing; the next start marks the row interrupted
    const at = this.opts.clock.now();
    try {
      if (outcome?.status === 'done') {
        done = total = outcome.result.dataRange.bars;
        this.opts.repo.finish(runId, 'done', at, {
          summaryJson: JSON.stringify(headlineOf(outcome.result)),
          resultJson: canonicalJson(outcome.result),
        });
        emit('done');
      } else if (outcome?.status === 'cancelled') {
        this.opts.repo.finish(runId, 'cancelled', at, { error: null });
        emit('cancelled');
      } else {
        this.opts.repo.finish(runId, 'failed', at, { error: error ?? 'the run ended without a result' });
        emit('failed');
      }
    } catch (err) {
      this.opts.repo.finish(runId, 'failed', at, { error: `cannot store the result: ${(err as Error).message}` });
      emit('failed');
    }
  }

  /** Asks the running run to stop; resolves with its row once it has settled. */
  async cancel(runId: number): Promise<BacktestRunInfo> {
    const active = this.active;
    if (!active || active.runId !== runId) {
      const row = this.opts.repo.get(runId);
      if (!row) throw new CommandError('INVALID_INPUT', `no backtest ${runId}`);
      throw new CommandError('INVALID_STATE', `backtest ${runId} is not running (it is ${row.status})`);
    }
    active.abort.abort();
    await active.done;
    return this.info(runId);
  }

  /** Runs params through the same runner without history or progress (replay today). */
  runReplay(params: BacktestParamsInput): Promise<WorkerOutcome> {
    if (this.stopped) return Promise.reject(new CommandError('UNAVAILABLE', 'the engine is stopping'));
    return this.run(params, {});
  }

  /** The running run's id, or null. */
  running(): number | null {
    return this.active?.runId ?? null;
  }

  /** Resolves when no run is active. */
  async idle(): Promise<void> {
    while (this.active) await this.active.done;
  }

  list(limit = 100): BacktestRunInfo[] {
    return this.opts.repo.list(limit).map((r) => this.infoOf(r));
  }

  info(runId: number): BacktestRunInfo {
    const row = this.opts.repo.get(runId);
    if (!row) throw new CommandError('INVALID_INPUT', `no backtest ${runId}`);
    return this.infoOf(row);
  }

  /** The run's canonical result; INVALID_STATE unless it is done. */
  result(runId: number): BacktestResult {
    const info = this.info(runId);
    if (info.status !== 'done') {
      throw new CommandError('INVALID_STATE', `backtest ${runId} has no result (it is ${info.status})`);
    }
    const json = this.opts.repo.resultJson(runId);
    if (json === null) throw new CommandError('INVALID_STATE', `backtest ${runId} has no stored result`);
    try {
      return parseResult(JSON.parse(json));
    } catch (err) {
      throw new CommandError(
        'UNAVAILABLE',
        `the stored result of backtest ${runId} is unreadable: ${(err as Error).message}`,
      );
    }
  }

  view(runId: number, points = 1500, trades = 200): BacktestView {
    return viewOf(this.info(runId), this.result(runId), { points, trades });
  }

  compare(a: number, b: number): BacktestComparison {
    if (a === b) throw new CommandError('INVALID_INPUT', 'pick two different runs to compare');
    return compareRuns({ info: this.info(a), result: this.result(a) }, { info: this.info(b), result: this.result(b) });
  }

  /** Writes the asked formats into <dataDir>/reports/<runId>/ (report.html, report.pdf, result.json, *.csv). */
  async export(runId: number, formats: readonly BacktestExportFormat[]): Promise<{ dir: string; files: string[] }> {
    const result = this.result(runId);
    const dir = path.join(this.opts.dataDir, 'reports', String(runId));
    const want = new Set(formats);
    try {
      const files = await writeReports(
        result,
        {
          ...(want.has('html') ? { html: path.join(dir, 'report.html') } : {}),
          ...(want.has('pdf') ? { pdf: path.join(dir, 'report.pdf') } : {}),
          ...(want.has('json') ? { json: path.join(dir, 'result.json') } : {}),
          ...(want.has('csv') ? { csvDir: dir } : {}),
        },
        {
          ...(this.opts.chromium ? { executablePath: this.opts.chromium } : {}),
          ...(this.opts.printPdf ? { print: this.opts.printPdf } : {}),
        },
      );
      return { dir, files };
    } catch (err) {
      throw new CommandError('UNAVAILABLE', `export of backtest ${runId} failed: ${(err as Error).message}`);
    }
  }

  /** Cancels the running run without waiting for storage; the row is marked interrupted on the next start. */
  stop(): void {
    this.stopped = true;
    this.active?.abort.abort();
  }

  private infoOf(row: BacktestRunRow): BacktestRunInfo {
    const req = BacktestRequest.parse(JSON.parse(row.paramsJson));
    let label: string;
    try {
      label = labelOf(req, this.opts.dataDir);
    } catch {
      label = `${req.data} ${req.symbols.join(',')}`;
    }
    return {
      runId: row.id,
      createdAt: row.createdAt,
      finishedAt: row.finishedAt,
      status: row.status,
      request: req,
      label,
      headline: row.summaryJson === null ? null : (JSON.parse(row.summaryJson) as BacktestHeadline),
      error: row.error,
    };
  }
}
