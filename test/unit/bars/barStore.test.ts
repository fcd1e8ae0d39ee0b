import Database from 'better-sqlite3';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Quote } from '../../../src/shared/domain';
import { applyRetention } from '../../../src/main/storage/retention';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import { BarWriteBuffer } from '../../../src/main/bars/writeBuffer';
import { SqliteBarStore, SqliteQuoteLog } from '../../../src/main/storage/barRepo';
import { DB_FILE, openDatabase, type Db } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(): { db: Db; store: SqliteBarStore; dir: string } {
  const t = tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  return { db, store: new SqliteBarStore(db), dir: t.dir };
}

/** A migrated database reopened with statement tracing: every statement run, BEGIN and COMMIT included. */
function openTraced(): { db: Db; store: SqliteBarStore; log: string[] } {
  const t = tempDir();
  openDatabase(t.dir).close();
  const log: string[] = [];
  const db = new Database(path.join(t.dir, DB_FILE), { verbose: (s) => log.push(String(s)) });
  cleanups.push(() => db.open && db.close(), t.cleanup);
  const store = new SqliteBarStore(db);
  log.length = 0;
  return { db, store, log };
}

const T = Date.UTC(2026, 10, 20, 14, 30);
const DAY = 86_400_000;
const bar = (i: number, over: Partial<StoredBar> = {}): StoredBar => ({
  symbol: 'NVDA',
  interval: '1m',
  ts: T + i * 60_000,
  o: 10 + i,
  h: 11 + i,
  l: 9 + i,
  c: 10.5 + i,
  v: 100,
  vw: 10.2 + i,
  n: 7,
  provider: 'built',
  asOf: T + (i + 1) * 60_000,
  status: 'live',
  ...over,
});

describe('SQLite bar store', () => {
  it('upserts in one transaction, replaces by key, and reads ranges in time order', () => {
    const { store } = open();
    store.upsert([bar(2), bar(0), bar(1)]);
    store.upsert([bar(1, { c: 99, h: 120, status: 'amended' })]);
    const rows = store.range('NVDA', '1m', T, T + 3 * 60_000);
    expect(rows.map((r) => r.ts)).toEqual([T, T + 60_000, T + 120_000]);
    expect(rows[1]).toMatchObject({ c: 99, status: 'amended' });
    expect(rows[0]).toEqual(bar(0));
    expect(store.timestamps('NVDA', '1m', T + 60_000, T + 120_000)).toEqual([T + 60_000]);
    expect(store.latestTs('NVDA', '1m')).toBe(T + 120_000);
    expect(store.earliestTs('NVDA', '1m')).toBe(T);
    expect(store.latestTs('MSFT', '1m')).toBeNull();
    expect(store.earliestTs('MSFT', '1m')).toBeNull();
    expect(store.count('NVDA', '1m')).toBe(3);
  });

  it('keeps symbols and intervals apart, and round-trips unknown vwap and trade count as null', () => {
    const { store } = open();
    const daily = bar(0, { interval: '1d', vw: null, n: null, provider: 'dataset', status: 'backfilled' });
    store.upsert([bar(0), bar(0, { symbol: 'MSFT', c: 1 }), daily]);
    expect(store.range('NVDA', '1d', 0, Number.MAX_SAFE_INTEGER)).toEqual([daily]);
    expect(store.range('MSFT', '1m', 0, Number.MAX_SAFE_INTEGER).map((b) => b.c)).toEqual([1]);
    expect(store.count('NVDA', '1m')).toBe(1);
    expect(store.count('NVDA', '1d')).toBe(1);
    expect(store.count('AAPL', '1m')).toBe(0);
  });

  it('runs one BEGIN…COMMIT per upsert, with one insert per bar and one cursor move per provider', () => {
    const { store, log } = openTraced();
    store.upsert([bar(0), bar(1), bar(2), bar(3)]);
    expect(log.filter((s) => s === 'BEGIN')).toHaveLength(1);
    expect(log.filter((s) => s === 'COMMIT')).toHaveLength(1);
    expect(log.filter((s) => s.startsWith('INSERT OR REPLACE INTO bars'))).toHaveLength(4);
    expect(log.filter((s) => s.startsWith('INSERT INTO ingestion_cursors'))).toHaveLength(1);
    expect(log[0]).toBe('BEGIN');
    expect(log.at(-1)).toBe('COMMIT');
    log.length = 0;
    store.upsert([]);
    expect(log).toEqual([]);
  });

  it('writes a batch atomically: one bad row and nothing of the batch lands', () => {
    const { store } = open();
    expect(() => store.upsert([bar(0), bar(1, { h: 1, l: 5 }), bar(2)])).toThrow(/CHECK/);
    expect(() => store.upsert([bar(0), bar(1), bar(2, { c: Number.NaN })])).toThrow(/NOT NULL/);
    expect(store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('loads chart-ready typed arrays, oldest first, only inside the range', () => {
    const { store } = open();
    store.upsert([bar(3), bar(1), bar(2), bar(0), bar(1, { symbol: 'MSFT' })]);
    const cols = store.columns('NVDA', '1m', T + 60_000, T + 4 * 60_000);
    expect(cols.time).toBeInstanceOf(Float64Array);
    expect([...cols.time]).toEqual([1, 2, 3].map((i) => T + i * 60_000));
    expect([...cols.open]).toEqual([11, 12, 13]);
    expect([...cols.high]).toEqual([12, 13, 14]);
    expect([...cols.low]).toEqual([10, 11, 12]);
    expect([...cols.close]).toEqual([11.5, 12.5, 13.5]);
    expect([...cols.volume]).toEqual([100, 100, 100]);
    expect(store.columns('NVDA', '1m', 0, T).time).toHaveLength(0);
  });

  it('keeps ingestion cursors per symbol, interval and provider, never moving back', () => {
    const { store } = open();
    expect(store.cursor('NVDA', '1m', 'polygon')).toBeNull();
    store.setCursor('NVDA', '1m', 'polygon', T + 60_000);
    store.setCursor('NVDA', '1m', 'polygon', T);
    store.setCursor('NVDA', '1m', 'alpaca', T);
    store.setCursor('NVDA', '1d', 'polygon', T - DAY);
    expect(store.cursor('NVDA', '1m', 'polygon')).toBe(T + 60_000);
    expect(store.cursor('NVDA', '1m', 'alpaca')).toBe(T);
    expect(store.cursor('NVDA', '1d', 'polygon')).toBe(T - DAY);
    expect(store.cursor('MSFT', '1m', 'polygon')).toBeNull();
  });

  it('moves each provider’s cursor to its newest written bar, in the same transaction as the bars', () => {
    const { store } = open();
    store.upsert([bar(2, { provider: 'polygon' }), bar(0, { provider: 'polygon' }), bar(1, { provider: 'built' })]);
    expect(store.cursor('NVDA', '1m', 'polygon')).toBe(T + 2 * 60_000);
    expect(store.cursor('NVDA', '1m', 'built')).toBe(T + 60_000);
    // An older backfilled bar never moves a cursor back.
    store.upsert([bar(0, { provider: 'polygon', status: 'backfilled' })]);
    expect(store.cursor('NVDA', '1m', 'polygon')).toBe(T + 2 * 60_000);
    // A batch that fails leaves bars and cursors as they were.
    expect(() => store.upsert([bar(5, { provider: 'alpaca' }), bar(6, { provider: 'alpaca', h: 0 })])).toThrow(/CHECK/);
    expect(store.cursor('NVDA', '1m', 'alpaca')).toBeNull();
    expect(store.latestTs('NVDA', '1m')).toBe(T + 2 * 60_000);
  });
});

describe('bar write buffer', () => {
  it('flushes N bars in one transaction as soon as N are queued', () => {
    const { store, log } = openTraced();
    const clock = new SimulatedClock(T);
    const buf = new BarWriteBuffer(store, clock, { maxBars: 3, maxDelayMs: 60_000 });
    buf.add(bar(0));
    buf.add(bar(1));
    expect(log).toEqual([]);
    expect(buf.queued).toBe(2);
    buf.add(bar(2));
    expect(buf.queued).toBe(0);
    expect(log.filter((s) => s === 'BEGIN')).toHaveLength(1);
    expect(log.filter((s) => s === 'COMMIT')).toHaveLength(1);
    expect(log.filter((s) => s.startsWith('INSERT OR REPLACE INTO bars'))).toHaveLength(3);
    expect(store.count('NVDA', '1m')).toBe(3);
    expect(buf.counters).toMatchObject({ written: 3, flushes: 1, failures: 0 });
  });

  it('flushes on tick once the oldest queued bar has waited maxDelayMs, and not before', () => {
    const { store } = open();
    const spy = vi.spyOn(store, 'upsert');
    const clock = new SimulatedClock(T);
    const buf = new BarWriteBuffer(store, clock, { maxBars: 500, maxDelayMs: 1000 });
    buf.tick();
    buf.add(bar(0));
    clock.advance(600);
    buf.add(bar(1));
    buf.tick();
    expect(spy).not.toHaveBeenCalled();
    clock.advance(400);
    buf.tick();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(spy.mock.calls[0]![0]).toHaveLength(2);
    buf.tick();
    expect(spy).toHaveBeenCalledTimes(1);
  });

  it('keeps one version per bar, and never lets our built bar replace a queued provider bar', () => {
    const { store } = open();
    const buf = new BarWriteBuffer(store, new SimulatedClock(T));
    buf.add(bar(0, { c: 10 }));
    buf.add(bar(0, { c: 11, status: 'amended' }));
    buf.add(bar(1, { provider: 'polygon', c: 50 }));
    buf.add(bar(1, { c: 51 })); // built, after the provider's: ignored
    expect(buf.queued).toBe(2);
    expect(buf.flush()).toBe(2);
    expect(store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER).map((b) => [b.c, b.provider, b.status])).toEqual([
      [11, 'built', 'amended'],
      [50, 'polygon', 'live'],
    ]);
  });

  it('keeps the batch queued when the write fails, reports it, and writes it next time', () => {
    const { db, store } = open();
    const errors: number[] = [];
    const buf = new BarWriteBuffer(store, new SimulatedClock(T), {
      maxBars: 2,
      onError: (_e, queued) => errors.push(queued),
    });
    db.exec("CREATE TRIGGER refuse BEFORE INSERT ON bars BEGIN SELECT RAISE(ABORT, 'disk says no'); END");
    buf.add(bar(0));
    expect(() => buf.add(bar(1))).not.toThrow();
    expect(errors).toEqual([2]);
    expect(buf.queued).toBe(2);
    expect(() => buf.flush()).toThrow(/disk says no/);
    expect(buf.counters.failures).toBe(2);
    db.exec('DROP TRIGGER refuse');
    expect(buf.flush()).toBe(2);
    expect(store.count('NVDA', '1m')).toBe(2);
  });
});

describe('retention', () => {
  const quote = (ts: number, symbol = 'NVDA'): Quote => ({
    symbol,
    ts,
    bid: 10,
    bidSize: 100,
    ask: 10.01,
    askSize: 200,
    provider: 'polygon',
  });

  it('deletes raw quotes older than 3 days and keeps every bar by default', () => {
    const { db, store } = open();
    const now = T + 10 * DAY;
    const quotes = new SqliteQuoteLog(db);
    quotes.append([quote(now - 5 * DAY), quote(now - 3 * DAY - 1), quote(now - 3 * DAY), quote(now - 1000, 'MSFT')]);
    store.upsert([bar(0), bar(0, { interval: '1d' })]); // 10 days old
    const res = applyRetention(db, undefined, new SimulatedClock(now));
    expect(res).toEqual({ quotesDeleted: 2, barsDeleted: 0, quoteCutoff: now - 3 * DAY, barCutoff: null });
    expect(quotes.count()).toBe(2);
    expect(
      (db.prepare('SELECT ts FROM quotes_raw ORDER BY ts').pluck().all() as number[]).map((ts) => now - ts),
    ).toEqual([3 * DAY, 1000]);
    expect(store.count('NVDA', '1m')).toBe(1);
    expect(store.count('NVDA', '1d')).toBe(1);
  });

  it('deletes in chunks until none are left', () => {
    const { db } = open();
    const now = T + 10 * DAY;
    const quotes = new SqliteQuoteLog(db);
    quotes.append(Array.from({ length: 25 }, (_, i) => quote(now - 4 * DAY - i)));
    expect(applyRetention(db, undefined, new SimulatedClock(now), { chunk: 10 }).quotesDeleted).toBe(25);
    expect(quotes.count()).toBe(0);
  });

  it('with barDays set, deletes old 1-minute bars only; with rawQuoteDays null, keeps quotes', () => {
    const { db, store } = open();
    const now = T + 10 * DAY;
    new SqliteQuoteLog(db).append([quote(T)]);
    store.upsert([bar(0), bar(0, { ts: now - DAY }), bar(0, { interval: '1d' })]);
    const res = applyRetention(db, { rawQuoteDays: null, barDays: 2 }, new SimulatedClock(now));
    expect(res).toMatchObject({ quotesDeleted: 0, barsDeleted: 1, quoteCutoff: null, barCutoff: now - 2 * DAY });
    expect(store.timestamps('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER)).toEqual([now - DAY]);
    expect(store.count('NVDA', '1d')).toBe(1);
    expect(new SqliteQuoteLog(db).count()).toBe(1);
  });

  it('refuses a nonsensical policy', () => {
    const { db } = open();
    const clock = new SimulatedClock(T);
    expect(() => applyRetention(db, { rawQuoteDays: -1, barDays: null }, clock)).toThrow(RangeError);
    expect(() => applyRetention(db, { rawQuoteDays: Number.NaN, barDays: null }, clock)).toThrow(RangeError);
  });
});
