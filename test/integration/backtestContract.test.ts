/**
 * Backtests through the WebSocket contract of a real `kestrel serve` (the built app, so runs go
 * through the built worker): refusals, progress events, a finished run in the history with its
 * view, export, compare, cancellation of a long run, and replay today.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BacktestProgress, BacktestRunInfo, BacktestView } from '../../src/shared/domain';
import { startServe, type ServeProcess } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';
import { WsContractClient, type Reply } from '../helpers/wsContractClient';

let server: ServeProcess;
let client: WsContractClient;
let cleanup: () => void;
let dir: string;

beforeAll(async () => {
  const t = tempDir();
  cleanup = t.cleanup;
  dir = t.dir;
  server = await startServe(dir, [], { KESTREL_BACKFILL: 'off' });
  const token = new URL(server.url).searchParams.get('token')!;
  client = await WsContractClient.connect(`ws://127.0.0.1:${server.port}/ws?token=${token}`);
}, 30_000);
afterAll(async () => {
  client?.close();
  await server?.stop();
  cleanup?.();
});

function ok<T>(r: Reply): T {
  if (!r.ok) throw new Error(`${r.error?.code}: ${r.error?.message}`);
  return r.result as T;
}

async function waitEnd(runId: number, timeoutMs = 60_000): Promise<BacktestProgress> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const end = client.events.find(
      (e) =>
        e.event === 'backtestProgress' &&
        (e.payload as BacktestProgress).runId === runId &&
        (e.payload as BacktestProgress).status !== 'running',
    );
    if (end) return end.payload as BacktestProgress;
    if (Date.now() > deadline) throw new Error(`run ${runId} did not end in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const progressOf = (runId: number) =>
  client.events
    .filter((e) => e.event === 'backtestProgress')
    .map((e) => e.payload as BacktestProgress)
    .filter((p) => p.runId === runId);

describe('backtests over the contract', () => {
  it('refuses bad requests with the field named', async () => {
    const r1 = await client.call('runBacktest', { data: 'synthetic', symbols: ['NVDA'] });
    expect(r1.ok).toBe(false);
    expect(r1.error).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/needs from and to/) });
    const r2 = await client.call('runBacktest', { data: 'sp500', slippageBps: -5 });
    expect(r2.error?.code).toBe('INVALID_INPUT');
    const r3 = await client.call('getBacktest', { runId: 4242 });
    expect(r3.error).toMatchObject({ code: 'INVALID_INPUT', message: 'no backtest 4242' });
  });

  it('runs SPX daily in the worker, keeps it in the history, serves a view and exports it', async () => {
    const { runId } = ok<{ runId: number }>(
      await client.call('runBacktest', { data: 'sp500', from: Date.UTC(2000, 0, 3, 9), to: Date.UTC(2011, 0, 1, 9) }),
    );
    const end = await waitEnd(runId);
    expect(end.status).toBe('done');
    expect(end.done).toBe(end.total);
    expect(end.total).toBeGreaterThan(2700);

    const list = ok<BacktestRunInfo[]>(await client.call('listBacktests', {}));
    expect(list[0]).toMatchObject({ runId, status: 'done', label: expect.stringMatching(/^SPX 1d/) });
    const view = ok<BacktestView>(await client.call('getBacktest', { runId, points: 100, trades: 10 }));
    expect(view.curve).toHaveLength(100);
    expect(view.dataRange.source).toBe('dataset:sp500-daily');
    expect(view.stats.find((s) => s.key === 'totalReturn')!.value).toBe(list[0]!.headline!.totalReturn);

    const out = ok<{ dir: string; files: string[] }>(
      await client.call('exportBacktest', { runId, formats: ['json', 'html', 'csv'] }),
    );
    expect(out.dir).toBe(path.join(dir, 'reports', String(runId)));
    for (const f of out.files) expect(fs.statSync(f).size).toBeGreaterThan(0);
    expect(out.files.map((f) => path.basename(f)).sort()).toEqual(
      ['equity.csv', 'orders.csv', 'report.html', 'result.json', 'trades.csv'].sort(),
    );

    // A second run with more slippage, then the two side by side.
    const second = ok<{ runId: number }>(
      await client.call('runBacktest', {
        data: 'sp500',
        from: Date.UTC(2000, 0, 3, 9),
        to: Date.UTC(2011, 0, 1, 9),
        slippageBps: 25,
      }),
    );
    expect((await waitEnd(second.runId)).status).toBe('done');
    const cmp = ok<{ rows: { key: string; a: number; b: number }[]; notes: string[] }>(
      await client.call('compareBacktests', { a: runId, b: second.runId }),
    );
    expect(cmp.notes.join()).toMatch(/fill models differ/);
    expect(cmp.rows.find((r) => r.key === 'trades')!.a).toBe(view.tradeCount);
  }, 90_000);

  it('cancels a long synthetic minute run while it reports progress', async () => {
    const { runId } = ok<{ runId: number }>(
      await client.call('runBacktest', {
        data: 'synthetic',
        symbols: ['NVDA', 'MSFT'],
        from: Date.UTC(2024, 0, 1),
        to: Date.UTC(2026, 0, 1),
        allowGaps: true,
      }),
    );
    // One at a time.
    const busy = await client.call('runBacktest', { data: 'sp500' });
    expect(busy.error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/still running/) });
    // Wait for progress with bars counted, then cancel.
    const deadline = Date.now() + 60_000;
    while (!progressOf(runId).some((p) => p.status === 'running' && p.done > 0)) {
      if (Date.now() > deadline) throw new Error('no progress in time');
      await new Promise((r) => setTimeout(r, 50));
    }
    const cancelled = ok<BacktestRunInfo>(await client.call('cancelBacktest', { runId }));
    expect(cancelled.status).toBe('cancelled');
    const end = await waitEnd(runId);
    expect(end.status).toBe('cancelled');
    const running = progressOf(runId).filter((p) => p.status === 'running' && p.total > 0);
    expect(running.every((p) => p.done < p.total)).toBe(true);
    const again = await client.call('cancelBacktest', { runId });
    expect(again.error).toMatchObject({ code: 'INVALID_STATE' });
    const view = await client.call('getBacktest', { runId });
    expect(view.error).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/cancelled/) });
  }, 90_000);

  it('replays today and answers a parity report', async () => {
    const r = ok<{ day: string; symbols: unknown[]; notes: string[] }>(await client.call('replayToday', {}));
    expect(r.day).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    // Each watched symbol is either replayed or named in the notes.
    for (const s of ['NVDA', 'MSFT']) {
      const replayed = (r.symbols as { symbol: string }[]).some((x) => x.symbol === s);
      expect(replayed || r.notes.some((n) => n.startsWith(`${s}:`))).toBe(true);
    }
  }, 60_000);
});
