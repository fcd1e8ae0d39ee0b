/**
 * Bar storage: batched inserts (one transaction per batch) against one transaction per row, in
 * the same run on the real pragmas (WAL, synchronous=FULL); and loading a year of 1-minute bars
 * for two symbols into chart-ready arrays.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import type { StoredBar } from '../src/main/bars/types';
import { SqliteBarStore } from '../src/main/storage/barRepo';
import { openDatabase } from '../src/main/storage/db';
import { tempDir } from '../test/helpers/tmp';
import { printBench } from './report';

function bars(symbol: string, count: number, start = Date.UTC(2025, 0, 2, 14, 30)): StoredBar[] {
  const out: StoredBar[] = [];
  let p = 100;
  for (let i = 0; i < count; i++) {
    p *= 1 + (((i * 7919) % 11) - 5) * 1e-4;
    out.push({
      symbol,
      interval: '1m',
      ts: start + i * 60_000,
      o: p,
      h: p * 1.001,
      l: p * 0.999,
      c: p,
      v: 1000,
      vw: p,
      n: 10,
      provider: 'built',
      asOf: start,
      status: 'live',
    });
  }
  return out;
}

it('batched vs single-row bar inserts', () => {
  const t = tempDir();
  const db = openDatabase(t.dir);
  const store = new SqliteBarStore(db);
  const batch = bars('BATCH', 200_000);
  const t0 = performance.now();
  for (let i = 0; i < batch.length; i += 10_000) store.upsert(batch.slice(i, i + 10_000));
  const batchedRate = batch.length / ((performance.now() - t0) / 1000);
  const single = bars('SINGLE', 2_000);
  const t1 = performance.now();
  for (const b of single) store.upsert([b]);
  const singleRate = single.length / ((performance.now() - t1) / 1000);
  printBench(
    'bar inserts (WAL, synchronous=FULL)',
    [
      { name: 'batched, 10k bars per transaction', value: batchedRate, unit: 'bars/s', target: '≥ 300,000' },
      { name: 'baseline: one transaction per bar', value: singleRate, unit: 'bars/s' },
    ],
    { label: 'batched / single-row', value: batchedRate / singleRate },
  );
  expect(store.timestamps('BATCH', '1m', 0, Number.MAX_SAFE_INTEGER)).toHaveLength(batch.length);
  db.close();
  t.cleanup();
}, 300_000);

it('load one year of 1-minute bars for two symbols into chart arrays', () => {
  const t = tempDir();
  const db = openDatabase(t.dir);
  const store = new SqliteBarStore(db);
  const perSymbol = 252 * 390;
  store.upsert(bars('NVDA', perSymbol));
  store.upsert(bars('MSFT', perSymbol));
  const t0 = performance.now();
  let total = 0;
  for (const symbol of ['NVDA', 'MSFT']) {
    const rows = store.range(symbol, '1m', 0, Number.MAX_SAFE_INTEGER);
    const time = new Float64Array(rows.length);
    const ohlc = new Float64Array(rows.length * 4);
    const volume = new Float64Array(rows.length);
    rows.forEach((r, i) => {
      time[i] = r.ts / 1000;
      ohlc.set([r.o, r.h, r.l, r.c], i * 4);
      volume[i] = r.v;
    });
    total += rows.length;
  }
  const ms = performance.now() - t0;
  printBench('chart load from SQLite', [
    { name: `${total.toLocaleString('en-US')} bars, 2 symbols, 1 year`, value: ms, unit: 'ms' },
    { name: 'rate', value: total / (ms / 1000), unit: 'bars/s' },
  ]);
  expect(total).toBe(2 * perSymbol);
  db.close();
  t.cleanup();
}, 300_000);
