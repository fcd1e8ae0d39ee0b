/**
 * `kestrel backtest` as a child process of the built CLI, and runInWorker against the built
 * worker (out/main/backtestWorker.js): both need `npx electron-vite build` first (npm test does).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseResult } from '../../src/main/backtest/result';
import { GapError } from '../../src/main/backtest/source';
import { runInWorker, type BacktestProgress } from '../../src/main/backtest/worker';
import { sessionForDay } from '../../src/main/marketdata/calendar';
import { runKestrel } from '../helpers/serveProcess';
import { tempDir } from '../helpers/tmp';

const WORKER = path.resolve('out/main/backtestWorker.js');
const RESOURCES = path.resolve('resources');
const MIN = 60_000;

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function dir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Two sessions of minute bars on a gentle zigzag trend, no symbol column (the file names it). */
function minuteCsv(skip: number[] = []): string {
  const rows = ['ts_ms,open,high,low,close,volume'];
  let i = 0;
  for (const day of ['2026-03-02', '2026-03-03']) {
    const s = sessionForDay(day)!;
    for (let t = s.open; t < s.close; t += MIN, i++) {
      if (skip.includes(i)) continue;
      const c = 200 + 10 * Math.sin(i / 40) + (i % 3) * 0.1;
      const o = c - 0.05;
      rows.push(
        `${t},${o.toFixed(2)},${(c + 0.2).toFixed(2)},${(o - 0.2).toFixed(2)},${c.toFixed(2)},${1000 + (i % 7) * 100}`,
      );
    }
  }
  return `${rows.join('\n')}\n`;
}

describe('kestrel backtest (built CLI)', () => {
  it('runs a CSV named after its symbol and writes HTML, PDF, JSON and CSVs', async () => {
    const d = dir();
    const csv = path.join(d, 'nvda.csv');
    fs.writeFileSync(csv, minuteCsv());
    const out = (f: string) => path.join(d, f);
    const r = await runKestrel(['backtest', '--in', csv, '--threshold-not-a-flag']);
    expect(r.code).toBe(2); // unknown flag: usage
    const ok = await runKestrel(
      [
        'backtest',
        '--in',
        csv,
        '--cash',
        '50000',
        '--slippage-bps',
        '2',
        '--commission',
        'ib-tiered',
        '--out',
        out('r.html'),
        '--pdf',
        out('r.pdf'),
        '--json',
        out('r.json'),
        '--csv-dir',
        out('csv'),
        '--data-dir',
        out('data'),
      ],
      { KESTREL_CHROMIUM: '/usr/bin/chromium' },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(
      /backtest NVDA 1m 2026-03-02\.\.2026-03-03 \(next-open, 2 bps, IB tiered\): total return [+-]\d/,
    );
    expect(ok.stdout).toMatch(/Sharpe .*max DD .*\d+ trades, 780 bars at [\d,]+ bars\/s/);
    const result = parseResult(JSON.parse(fs.readFileSync(out('r.json'), 'utf8')));
    expect(result.parameters.symbols).toEqual(['NVDA']);
    expect(result.parameters.initialCash).toBe(50_000);
    expect(result.dataRange.source).toBe('csv:nvda.csv');
    expect(result.fillModel).toMatchObject({ fillAt: 'next-open', slippageBps: 2, commission: 'ib-tiered' });
    expect(result.gaps).toEqual([]);
    const html = fs.readFileSync(out('r.html'), 'utf8');
    expect(html).toContain('next-open, 2 bps, IB tiered');
    for (const f of ['trades.csv', 'orders.csv', 'equity.csv'])
      expect(fs.existsSync(path.join(out('csv'), f))).toBe(true);
    expect(
      fs
        .readFileSync(path.join(out('csv'), 'equity.csv'), 'utf8')
        .trim()
        .split('\n').length,
    ).toBe(781);
    const pdf = fs.readFileSync(out('r.pdf'));
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.toString('latin1')).toMatch(/\/Type\s*\/Page\b/);
  });

  it('--symbols SPX --interval 1d works on a fresh data dir (seeds the bundled dataset)', async () => {
    const d = dir();
    const data = path.join(d, 'data');
    const r = await runKestrel([
      'backtest',
      '--symbols',
      'SPX',
      '--interval',
      '1d',
      '--from',
      '2005-01-01',
      '--to',
      '2010-01-01',
      '--out',
      path.join(d, 'spx.html'),
      '--json',
      path.join(d, 'spx.json'),
      '--csv-dir',
      path.join(d, 'csv'),
      '--data-dir',
      data,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/backtest SPX 1d 2005-01-03\.\.2009-12-31 /);
    expect(fs.existsSync(path.join(data, 'kestrel.db'))).toBe(true);
    const result = parseResult(JSON.parse(fs.readFileSync(path.join(d, 'spx.json'), 'utf8')));
    expect(result.dataRange.source).toBe('sqlite');
    expect(result.dataRange.bars).toBe(1259);
    expect(result.orders.length).toBeGreaterThan(0);
    expect(fs.readFileSync(path.join(d, 'spx.html'), 'utf8')).toContain('SPX');
    expect(fs.existsSync(path.join(d, 'csv', 'trades.csv'))).toBe(true);
  });

  it('a corrupt CSV exits 1 naming the rows, and writes nothing', async () => {
    const d = dir();
    const csv = path.join(d, 'BAD.csv');
    const lines = minuteCsv().split('\n');
    lines[3] = lines[3]!.replace(/,[\d.]+,(\d+)$/, ',abc,$1'); // close is not a number
    lines[8] = lines[8]!.split(',').slice(0, 3).join(','); // missing fields
    fs.writeFileSync(csv, lines.join('\n'));
    const r = await runKestrel(['backtest', '--in', csv, '--out', path.join(d, 'r.html'), '--data-dir', d]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('row 4: close "abc" is not a number');
    expect(r.stderr).toContain('row 9: expected at least 6 fields, found 3');
    expect(fs.existsSync(path.join(d, 'r.html'))).toBe(false);
  });

  it('gaps without --allow-gaps exit 1 with the gaps listed; with it the report lists them', async () => {
    const d = dir();
    const csv = path.join(d, 'MSFT.csv');
    fs.writeFileSync(csv, minuteCsv([100, 101, 102, 500]));
    const refused = await runKestrel(['backtest', '--in', csv, '--out', path.join(d, 'r.html'), '--data-dir', d]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('2 gaps (4 missing bars)');
    expect(refused.stderr).toContain('MSFT 2026-03-02T16:10Z – 2026-03-02T16:13Z (3 bars)');
    expect(refused.stderr).toContain('--allow-gaps');
    expect(fs.existsSync(path.join(d, 'r.html'))).toBe(false);

    const ran = await runKestrel([
      'backtest',
      '--in',
      csv,
      '--allow-gaps',
      '--json',
      path.join(d, 'r.json'),
      '--data-dir',
      d,
    ]);
    expect(ran.code, ran.stderr).toBe(0);
    expect(ran.stderr).toContain('ran over 2 gaps');
    const result = parseResult(JSON.parse(fs.readFileSync(path.join(d, 'r.json'), 'utf8')));
    expect(result.gaps.map((g) => g.missingBars)).toEqual([3, 1]);
  });

  it('usage errors exit 2', async () => {
    const none = await runKestrel(['backtest', '--in', 'x.csv']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs an output');
    const both = await runKestrel(['backtest', '--in', 'x.csv', '--symbols', 'SPX', '--out', 'r.html']);
    expect(both.code).toBe(2);
    const fill = await runKestrel(['backtest', '--in', 'x.csv', '--fill', 'mid', '--out', 'r.html']);
    expect(fill.code).toBe(2);
    expect(fill.stderr).toContain('--fill must be next-open or same-close');
  });
});

describe('runInWorker (built worker)', () => {
  const params = {
    source: { kind: 'synthetic' as const, seed: 5 },
    symbols: ['NVDA', 'MSFT'],
    from: Date.UTC(2026, 2, 2),
    to: Date.UTC(2026, 2, 14),
  };

  it('reports progress and resolves with the result', async () => {
    const progress: BacktestProgress[] = [];
    const r = await runInWorker(params, {
      workerFile: WORKER,
      resourcesDir: RESOURCES,
      onProgress: (p) => progress.push(p),
    });
    expect(r.status).toBe('done');
    if (r.status !== 'done') return;
    const total = r.result.dataRange.bars;
    expect(total).toBe(2 * 10 * 390);
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress[0]).toEqual({ done: 0, total });
    expect(progress[progress.length - 1]).toEqual({ done: total, total });
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.done).toBeGreaterThanOrEqual(progress[i - 1]!.done);
    expect(r.summary.decisions).toBeGreaterThan(0);
  });

  it('cancels through an AbortSignal', async () => {
    const ac = new AbortController();
    const progress: BacktestProgress[] = [];
    const r = await runInWorker(
      { ...params, to: Date.UTC(2026, 4, 1) },
      {
        workerFile: WORKER,
        resourcesDir: RESOURCES,
        signal: ac.signal,
        onProgress: (p) => {
          progress.push(p);
          ac.abort();
        },
      },
    );
    expect(r.status).toBe('cancelled');
    expect(progress.length).toBeGreaterThanOrEqual(1);
    if (r.status === 'cancelled') expect(r.barsDone).toBeLessThan(progress[0]!.total);
  });

  it('rejects a gappy range with a GapError listing the gaps', async () => {
    const d = dir();
    const csv = path.join(d, 'AMD.csv');
    fs.writeFileSync(csv, minuteCsv([5]));
    const err = await runInWorker(
      { source: { kind: 'csv', file: csv } },
      { workerFile: WORKER, resourcesDir: RESOURCES },
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GapError);
    expect((err as GapError).gaps).toHaveLength(1);
  });
});
