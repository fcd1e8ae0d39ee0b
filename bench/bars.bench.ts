/**
 * Bar layer: batched inserts (one transaction per batch) against one transaction per row, in the
 * same run on the real pragmas (WAL, synchronous=FULL, via openDatabase); loading a year of
 * 1-minute bars for two symbols into chart-ready typed arrays (against mapping rows to StoredBar
 * objects); and the aggregator's cost per trade.
 */
import { performance } from 'node:perf_hooks';
import { expect, it } from 'vitest';
import type { Trade } from '../src/shared/domain';
import { BarAggregator } from '../src/main/bars/aggregator';
import type { StoredBar } from '../src/main/bars/types';
import { SimulatedClock } from '../src/main/clock';
import { regularMinutes } from '../src/main/marketdata/calendar';
import { SqliteBarStore } from '../src/main/storage/barRepo';
import { openDatabase } from '../src/main/storage/db';
import { tempDir } from '../test/helpers/tmp';
import { printBench } from './report';

/** 1-minute bars at the given open times, a gentle random walk. */
function bars(symbol: string, times: readonly number[]): StoredBar[] {
  const out: StoredBar[] = new Array<StoredBar>(times.length);
  let p = 100;
  for (let i = 0; i < times.length; i++) {
    p *= 1 + (((i * 7919) % 11) - 5) * 1e-4;
    out[i] = {
      symbol,
      interval: '1m',
      ts: times[i]!,
      o: p,
      h: p * 1.001,
      l: p * 0.999,
      c: p,
      v: 1000 + (i % 97),
      vw: p,
      n: 10,
      provider: 'built',
      asOf: times[i]! + 60_000,
      status: 'live',
    };
  }
  return out;
}

/** Every regular-session minute of 2025 per the NYSE calendar (250 days, early closes included). */
const YEAR_2025 = [...regularMinutes(Date.UTC(2025, 0, 1), Date.UTC(2026, 0, 1))];

it('batched vs single-row bar inserts', () => {
  const t = tempDir();
  const db = openDatabase(t.dir);
  const store = new SqliteBarStore(db);
  const batch = bars(
    'BATCH',
    YEAR_2025.concat(YEAR_2025.map((ts) => ts + 30_000)).sort((a, b) => a - b),
  );
  const single = bars('SINGLE', YEAR_2025.slice(0, 2_000));
  // Warm-up: prepared statements, page cache.
  store.upsert(bars('WARM', YEAR_2025.slice(0, 5_000)));

  const t0 = performance.now();
  for (let i = 0; i < batch.length; i += 10_000) store.upsert(batch.slice(i, i + 10_000));
  const batchedRate = batch.length / ((performance.now() - t0) / 1000);

  const t1 = performance.now();
  for (const b of single) store.upsert([b]);
  const singleRate = single.length / ((performance.now() - t1) / 1000);

  printBench(
    'bar inserts (WAL, synchronous=FULL)',
    [
      {
        name: `batched, 10k bars per transaction (${batch.length.toLocaleString('en-US')})`,
        value: batchedRate,
        unit: 'bars/s',
        target: '≥ 300,000',
      },
      { name: 'baseline: one transaction per bar (2,000)', value: singleRate, unit: 'bars/s' },
    ],
    { label: 'batched / single-row', value: batchedRate / singleRate },
  );
  expect(store.count('BATCH', '1m')).toBe(batch.length);
  expect(store.count('SINGLE', '1m')).toBe(single.length);
  db.close();
  t.cleanup();
}, 300_000);

it('load one year of 1-minute bars for two symbols into chart arrays', () => {
  const t = tempDir();
  const db = openDatabase(t.dir);
  const store = new SqliteBarStore(db);
  const symbols = ['NVDA', 'MSFT'];
  for (const s of symbols) store.upsert(bars(s, YEAR_2025));
  const from = Date.UTC(2025, 0, 1);
  const to = Date.UTC(2026, 0, 1);
  store.columns('AAPL', '1m', from, to); // warm the statement

  const t0 = performance.now();
  let total = 0;
  let checksum = 0;
  for (const s of symbols) {
    const cols = store.columns(s, '1m', from, to);
    total += cols.time.length;
    checksum += cols.close[cols.close.length - 1]! + cols.volume[0]!;
  }
  const columnsMs = performance.now() - t0;

  const t1 = performance.now();
  let objects = 0;
  for (const s of symbols) objects += store.range(s, '1m', from, to).length;
  const objectsMs = performance.now() - t1;

  printBench(
    'chart load from SQLite',
    [
      { name: `${total.toLocaleString('en-US')} bars, 2 symbols, 2025 → Float64Arrays`, value: columnsMs, unit: 'ms' },
      { name: 'rate', value: total / (columnsMs / 1000), unit: 'bars/s' },
      { name: 'baseline: same bars as StoredBar objects (range)', value: objectsMs, unit: 'ms' },
    ],
    { label: 'objects / typed arrays (time)', value: objectsMs / columnsMs },
  );
  expect(total).toBe(2 * YEAR_2025.length);
  expect(objects).toBe(total);
  expect(Number.isFinite(checksum)).toBe(true);
  db.close();
  t.cleanup();
}, 300_000);

it('aggregator cost per trade', () => {
  const start = Date.UTC(2025, 2, 3, 14, 30);
  const symbols = ['NVDA', 'MSFT', 'AAPL', 'AMZN', 'META', 'TSLA', 'GOOG', 'AMD'];
  const count = 2_000_000;
  // 8 symbols, 1 trade per symbol every 10 ms: about 35 minutes of a busy tape.
  const trades: Trade[] = new Array<Trade>(count);
  for (let i = 0; i < count; i++) {
    trades[i] = {
      symbol: symbols[i % symbols.length]!,
      ts: start + Math.floor(i / symbols.length) * 10,
      price: 100 + ((i * 7919) % 101) / 100,
      size: 1 + (i % 300),
      id: String(i),
      provider: 'polygon',
    };
  }
  const clock = new SimulatedClock(start);
  let closed = 0;
  const agg = new BarAggregator(clock, { closed: () => closed++, amended: () => {}, reconciled: () => {} });
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const tr = trades[i]!;
    if (tr.ts > clock.now()) clock.set(tr.ts);
    agg.onTrade(tr);
  }
  const ns = ((performance.now() - t0) * 1e6) / count;
  const held = agg.heldBars;
  clock.advance(60_000);
  agg.onClock();
  printBench('bar aggregation', [
    { name: `${count.toLocaleString('en-US')} trades, 8 symbols, with trade ids`, value: ns, unit: 'ns/trade' },
    { name: 'bars held in memory after 35 minutes (open + recent)', value: held, unit: 'bars' },
  ]);
  expect(held).toBeLessThanOrEqual(symbols.length * 2);
  expect(agg.counters.trades).toBe(count);
  expect(closed).toBe(symbols.length * Math.ceil(((count / symbols.length) * 10) / 60_000));
}, 300_000);
