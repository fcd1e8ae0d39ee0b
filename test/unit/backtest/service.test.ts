/**
 * BacktestService with injectable run functions: the real in-process runner for results, and a
 * hand-driven fake for progress, cancellation and the one-at-a-time rule. History is real SQLite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { backtest } from '../../../src/main/backtest/run';
import { BacktestService, paramsOfRequest, type RunFn } from '../../../src/main/backtest/service';
import type { WorkerOutcome } from '../../../src/main/backtest/worker';
import { SimulatedClock } from '../../../src/main/clock';
import type { CommandError } from '../../../src/main/errors';
import { BacktestRepo } from '../../../src/main/storage/backtestRepo';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import type { BacktestProgress } from '../../../src/shared/domain';
import { tempDir } from '../../helpers/tmp';

const RESOURCES = path.resolve('resources');
const SYNTH = {
  data: 'synthetic' as const,
  symbols: ['NVDA', 'MSFT'],
  from: Date.UTC(2026, 2, 2),
  to: Date.UTC(2026, 2, 5),
  slippageBps: 2,
};

/** The real runner in this thread, reporting progress and honouring the abort signal. */
const inProcess: RunFn = (params, opts) =>
  Promise.resolve(
    backtest(
      params,
      { resourcesDir: RESOURCES, now: 1_000 },
      {
        onProgress: (done, total) => opts.onProgress?.({ done, total }),
        shouldStop: () => opts.signal?.aborted ?? false,
      },
    ),
  );

/** A run the test drives: progress(), finish() and the abort signal it was given. */
function fakeRun() {
  const calls: {
    onProgress: (p: { done: number; total: number }) => void;
    signal: AbortSignal;
    resolve: (o: WorkerOutcome) => void;
    reject: (e: Error) => void;
  }[] = [];
  const run: RunFn = (_params, opts) =>
    new Promise<WorkerOutcome>((resolve, reject) => {
      const call = { onProgress: opts.onProgress ?? (() => {}), signal: opts.signal!, resolve, reject };
      calls.push(call);
      // Cancelling answers like the worker does: cancelled with the bars done so far.
      opts.signal?.addEventListener('abort', () => resolve({ status: 'cancelled', barsDone: 10 }));
    });
  return { run, calls };
}

const open: { db: Db; cleanup: () => void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) {
    o.db.close();
    o.cleanup();
  }
});

function setup(run: RunFn, mono?: () => number, printPdf?: (html: string) => Promise<Uint8Array>) {
  const t = tempDir();
  const db = openDatabase(t.dir);
  open.push({ db, cleanup: t.cleanup });
  const clock = new SimulatedClock(Date.UTC(2026, 5, 1));
  const events: BacktestProgress[] = [];
  const repo = new BacktestRepo(db);
  const service = new BacktestService({
    repo,
    clock,
    dataDir: t.dir,
    resourcesDir: RESOURCES,
    emit: (p) => events.push(p),
    run,
    ...(mono ? { monotonicMs: mono } : {}),
    ...(printPdf ? { printPdf } : {}),
  });
  return { service, repo, events, dir: t.dir, db, clock };
}

describe('BacktestService', () => {
  it('runs, stores the result in SQLite, lists history newest first and serves a thinned view', async () => {
    const { service, events } = setup(inProcess);
    const { runId } = service.start(SYNTH);
    await service.idle();
    const info = service.info(runId);
    expect(info.status).toBe('done');
    expect(info.headline!.bars).toBeGreaterThan(1000);
    expect(info.label).toMatch(/^NVDA,MSFT 1m synthetic#1 2026-03-0[12] – 2026-03-04 · next-open, 2 bps/);
    expect(events[events.length - 1]).toEqual({
      runId,
      status: 'done',
      done: info.headline!.bars,
      total: info.headline!.bars,
    });

    const view = service.view(runId, 50, 5);
    expect(view.curve).toHaveLength(50);
    expect(view.curvePoints).toBeGreaterThan(50);
    expect(view.curve[0]!.ts).toBeLessThan(view.curve[49]!.ts);
    expect(view.trades.length).toBeLessThanOrEqual(5);
    expect(view.stats.find((s) => s.key === 'totalReturn')!.value).toBe(info.headline!.totalReturn);
    for (const p of view.curve) expect(p.drawdown).toBeLessThanOrEqual(0);

    const second = service.start({ ...SYNTH, slippageBps: 20 });
    await service.idle();
    expect(service.list().map((r) => r.runId)).toEqual([second.runId, runId]);
    const cmp = service.compare(runId, second.runId);
    expect(cmp.notes.join(' ')).toMatch(/fill models differ/);
    expect(cmp.curveA[0]!.value).toBe(1);
  });

  it('emits progress at most every 100 ms and once more at the end', async () => {
    let t = 0;
    const fake = fakeRun();
    const { service, events } = setup(fake.run, () => t);
    const { runId } = service.start(SYNTH);
    const call = fake.calls[0]!;
    for (let i = 1; i <= 10; i++) {
      t += 30; // 10 reports over 300 ms: at most 4 pass the throttle
      call.onProgress({ done: i * 100, total: 1000 });
    }
    const running = events.filter((e) => e.status === 'running');
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(running.length).toBeLessThanOrEqual(5);
    expect(running[running.length - 1]!.done).toBeGreaterThan(0);
    call.resolve({ status: 'cancelled', barsDone: 1000 });
    await service.idle();
    expect(events[events.length - 1]).toMatchObject({ runId, status: 'cancelled' });
  });

  it('runs one at a time, cancels, and refuses to cancel what is not running', async () => {
    const fake = fakeRun();
    const { service } = setup(fake.run);
    const { runId } = service.start(SYNTH);
    expect(() => service.start(SYNTH)).toThrow(/is still running/);
    const cancelled = await service.cancel(runId);
    expect(fake.calls[0]!.signal.aborted).toBe(true);
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.finishedAt).not.toBeNull();
    await expect(service.cancel(runId)).rejects.toThrow(/not running \(it is cancelled\)/);
    await expect(service.cancel(999)).rejects.toThrow(/no backtest 999/);
    // A cancelled run has no result to show or export.
    expect(() => service.view(runId)).toThrow(/has no result \(it is cancelled\)/);
    // The next run may start now.
    expect(service.start(SYNTH).runId).toBe(runId + 1);
  });

  it('stores a failed run with its error (gaps refused), and keeps working', async () => {
    const fake = fakeRun();
    const { service, events } = setup(fake.run);
    const { runId } = service.start(SYNTH);
    fake.calls[0]!.reject(new Error('the data has 2 gaps'));
    await service.idle();
    expect(service.info(runId)).toMatchObject({ status: 'failed', error: 'the data has 2 gaps' });
    expect(events[events.length - 1]).toMatchObject({ runId, status: 'failed' });
  });

  it('refuses bad requests with the field named, and stores nothing', () => {
    const { service } = setup(inProcess);
    const bad = (input: unknown): CommandError => {
      try {
        service.start(input);
      } catch (err) {
        return err as CommandError;
      }
      throw new Error('accepted');
    };
    expect(bad({ ...SYNTH, slippageBps: -1 })).toMatchObject({ code: 'INVALID_INPUT', message: /slippageBps/ });
    expect(bad({ ...SYNTH, from: null })).toMatchObject({ code: 'INVALID_INPUT', message: /needs from and to/ });
    expect(bad({ ...SYNTH, to: SYNTH.from })).toMatchObject({
      code: 'INVALID_INPUT',
      message: /to must be after from/,
    });
    expect(bad({ data: 'store', symbols: [] })).toMatchObject({ code: 'INVALID_INPUT', message: /needs symbols/ });
    expect(bad({ data: 'csv' })).toMatchObject({ code: 'INVALID_INPUT', message: /^data:/ });
    expect(service.list()).toEqual([]);
  });

  it('marks runs a crash left running as failed: interrupted', () => {
    const { service, repo } = setup(inProcess);
    const id = repo.start(5, JSON.stringify({ ...defaults(), data: 'sp500' }));
    expect(service.recoverInterrupted()).toBe(1);
    expect(service.info(id)).toMatchObject({ status: 'failed', error: 'interrupted' });
    expect(service.recoverInterrupted()).toBe(0);
    // A late answer cannot overwrite a settled run.
    expect(repo.finish(id, 'done', 6)).toBe(false);
  });

  it('exports json and csv into <dataDir>/reports/<runId>/', async () => {
    const { service, dir } = setup(inProcess);
    const { runId } = service.start({ data: 'sp500', to: Date.UTC(2002, 0, 1) });
    await service.idle();
    const out = await service.export(runId, ['json', 'csv']);
    expect(out.dir).toBe(path.join(dir, 'reports', String(runId)));
    expect(out.files.map((f) => path.basename(f)).sort()).toEqual(
      ['equity.csv', 'orders.csv', 'result.json', 'trades.csv'].sort(),
    );
    const json = JSON.parse(fs.readFileSync(path.join(out.dir, 'result.json'), 'utf8')) as { schemaVersion: number };
    expect(json.schemaVersion).toBe(1);
    expect(() => service.compare(runId, runId)).toThrow(/two different runs/);
  });

  it('prints the PDF with the host’s printer when it has one (Electron’s printToPDF in the app)', async () => {
    const printed: string[] = [];
    const pdf = new TextEncoder().encode('%PDF-1.7 from the host');
    const { service, dir } = setup(inProcess, undefined, (html) => {
      printed.push(html);
      return Promise.resolve(pdf);
    });
    const { runId } = service.start(SYNTH);
    await service.idle();
    const out = await service.export(runId, ['pdf']);
    expect(out.files).toEqual([path.join(dir, 'reports', String(runId), 'report.pdf')]);
    expect(fs.readFileSync(out.files[0]!, 'utf8')).toBe('%PDF-1.7 from the host');
    expect(printed).toHaveLength(1);
    expect(printed[0]).toMatch(/^<!doctype html>/i);
  });

  it('maps app requests onto the runner params', () => {
    expect(paramsOfRequest({ ...defaults(), data: 'store', symbols: ['NVDA'], interval: '1m' }, '/d')).toMatchObject({
      source: { kind: 'sqlite', dataDir: '/d' },
      symbols: ['NVDA'],
      interval: '1m',
    });
    expect(paramsOfRequest({ ...defaults(), data: 'sp500', symbols: ['NVDA'] }, '/d')).toMatchObject({
      source: { kind: 'dataset', name: 'sp500-daily' },
      symbols: [],
      interval: '1d',
    });
  });
});

function defaults() {
  return {
    symbols: [] as string[],
    interval: '1d' as const,
    from: null,
    to: null,
    initialCash: 100_000,
    slippageBps: 1,
    commission: 'ib-fixed' as const,
    fillAt: 'next-open' as const,
    allowGaps: false,
    policy: null,
    seed: 1,
  };
}
