import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { checkDailyCalendar, loadSp500Daily, seedSp500Daily, SP500_DAILY_FILE } from '../../../src/main/bars/dataset';
import { dailyBarTs, EXPORT_HEADER, exportBarsCsv, importBarsCsv } from '../../../src/main/bars/importExport';
import type { StoredBar } from '../../../src/main/bars/types';
import { SimulatedClock } from '../../../src/main/clock';
import { sessionForDay } from '../../../src/main/marketdata/calendar';
import { SqliteBarStore } from '../../../src/main/storage/barRepo';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { nyDateKey } from '../../../src/main/time/newYork';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(): { db: Db; store: SqliteBarStore } {
  const t = tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  return { db, store: new SqliteBarStore(db) };
}

const NOW = Date.UTC(2026, 10, 23, 12);
const clock = new SimulatedClock(NOW);
const T = Date.UTC(2025, 2, 3, 14, 30); // Monday 2025-03-03 09:30 New York
const all = (store: SqliteBarStore, interval: '1m' | '1d' = '1m', symbol = 'NVDA'): StoredBar[] =>
  store.range(symbol, interval, 0, Number.MAX_SAFE_INTEGER);

const GOOD = [
  'ts_ms,open,high,low,close,volume',
  `${T},10,11,9,10.5,100`,
  `${T + 60_000},10.5,12,10,11,200`,
  `${T + 120_000},11,11.5,10.8,11.2,50`,
].join('\n');

describe('bars CSV import', () => {
  it('imports a good ts_ms file as provider import, status backfilled, stamped by the clock', () => {
    const { store } = open();
    const res = importBarsCsv(store, GOOD, { symbol: 'nvda', interval: '1m', clock });
    expect(res).toEqual({
      ok: true,
      imported: 3,
      replaced: 0,
      symbol: 'NVDA',
      interval: '1m',
      from: T,
      to: T + 120_000,
    });
    const rows = all(store);
    expect(rows.map((b) => [b.ts, b.o, b.h, b.l, b.c, b.v])).toEqual([
      [T, 10, 11, 9, 10.5, 100],
      [T + 60_000, 10.5, 12, 10, 11, 200],
      [T + 120_000, 11, 11.5, 10.8, 11.2, 50],
    ]);
    expect(rows[0]).toMatchObject({ provider: 'import', status: 'backfilled', asOf: NOW, vw: null, n: null });
  });

  it('reads ISO-8601 times with offsets, and reports how many stored bars it replaced', () => {
    const { store } = open();
    store.upsert([
      {
        symbol: 'NVDA',
        interval: '1m',
        ts: T + 60_000,
        o: 1,
        h: 1,
        l: 1,
        c: 1,
        v: 1,
        vw: null,
        n: null,
        provider: 'polygon',
        asOf: 0,
        status: 'live',
      },
    ]);
    const iso = [
      'timestamp,open,high,low,close,volume',
      '2025-03-03T09:30:00-05:00,10,11,9,10.5,100',
      '2025-03-03T14:31:00Z,10.5,12,10,11,200',
    ].join('\r\n');
    const res = importBarsCsv(store, iso, { symbol: 'NVDA', interval: '1m', clock });
    expect(res).toMatchObject({ ok: true, imported: 2, replaced: 1, from: T, to: T + 60_000 });
    expect(all(store).map((b) => [b.ts, b.c, b.provider])).toEqual([
      [T, 10.5, 'import'],
      [T + 60_000, 11, 'import'],
    ]);
  });

  it('rejects the whole file for one bad row, naming the row, even when it is the last one', () => {
    const { store } = open();
    const bad = GOOD + '\n' + `${T + 180_000},11,10,12,11,10`; // high below low, line 5
    const res = importBarsCsv(store, bad, { symbol: 'NVDA', interval: '1m', clock });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors).toHaveLength(1);
    expect(res.errors[0]).toMatch(/^row 5: high 10 is below low 12/);
    expect(store.count('NVDA', '1m')).toBe(0);
  });

  it('lists every bad row, its own checks included (1m bars open on the minute; vwap, trades)', () => {
    const { store } = open();
    const text = [
      'ts_ms,open,high,low,close,volume,vwap,trades',
      `${T},10,11,9,10.5,100,10.2,7`,
      `${T + 60_001},10,11,9,10.5,100,,`, // not on the minute
      `${T + 120_000},10,11,9,10.5,100,abc,7`,
      '',
      `${T + 180_000},10,11,9,10.5,100,10.1,2.5`,
      `${T + 240_000},10,11,9,,100,10.1,2`, // missing close: parseBarsCsv
    ].join('\n');
    const res = importBarsCsv(store, text, { symbol: 'NVDA', interval: '1m', clock });
    expect(res.ok).toBe(false);
    if (res.ok) return;
    expect(res.errors.map((e) => e.slice(0, 6))).toEqual(['row 7:']);
    const withoutParseError = text.split('\n').slice(0, -1).join('\n');
    const res2 = importBarsCsv(store, withoutParseError, { symbol: 'NVDA', interval: '1m', clock });
    expect(res2.ok).toBe(false);
    if (res2.ok) return;
    expect(res2.errors).toEqual([
      expect.stringMatching(/^row 3: .* is not a whole minute/),
      'row 4: vwap "abc" is not a positive price',
      'row 6: trades "2.5" is not a whole number ≥ 0',
    ]);
    expect(store.count('NVDA', '1m')).toBe(0);
  });

  it('rolls back everything when the database write fails half-way', () => {
    const { db, store } = open();
    db.exec(
      `CREATE TRIGGER refuse_last BEFORE INSERT ON bars WHEN NEW.ts = ${T + 120_000} BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    const res = importBarsCsv(store, GOOD, { symbol: 'NVDA', interval: '1m', clock });
    expect(res).toEqual({
      ok: false,
      errors: [expect.stringMatching(/database write failed, nothing was imported: disk full/)],
    });
    expect(store.count('NVDA', '1m')).toBe(0);
  });

  it('checks the symbol: required without a symbol column, must agree with one, one per file', () => {
    const { store } = open();
    expect(importBarsCsv(store, GOOD, { interval: '1m', clock })).toEqual({
      ok: false,
      errors: [expect.stringMatching(/no symbol column/)],
    });
    const withSymbols = ['symbol,ts_ms,open,high,low,close,volume', `MSFT,${T},1,1,1,1,1`, `AAPL,${T},1,1,1,1,1`].join(
      '\n',
    );
    expect(importBarsCsv(store, withSymbols, { interval: '1m', clock })).toEqual({
      ok: false,
      errors: ['the file holds MSFT, AAPL; one symbol per file'],
    });
    const msft = ['symbol,ts_ms,open,high,low,close,volume', `MSFT,${T},1,1,1,1,1`].join('\n');
    expect(importBarsCsv(store, msft, { symbol: 'NVDA', interval: '1m', clock })).toEqual({
      ok: false,
      errors: ['the file holds MSFT; only NVDA was asked for'],
    });
    expect(importBarsCsv(store, msft, { interval: '1m', clock })).toMatchObject({ ok: true, symbol: 'MSFT' });
    expect(store.count('NVDA', '1m')).toBe(0);
  });

  it('stamps daily bars with the regular open of their NYSE day and refuses non-trading days', () => {
    const { store } = open();
    const text = [
      'date,open,high,low,close,volume',
      '2019-11-27,10,11,9,10.5,100',
      '2019-11-29,10,11,9,10.5,100', // day after Thanksgiving: early close, still opens 09:30
      '2019-12-02,10,11,9,10.5,100',
    ].join('\n');
    const res = importBarsCsv(store, text, { symbol: 'SPY', interval: '1d', clock });
    expect(res.ok).toBe(true);
    const rows = all(store, '1d', 'SPY');
    expect(rows.map((b) => b.ts)).toEqual(
      ['2019-11-27', '2019-11-29', '2019-12-02'].map((d) => sessionForDay(d)!.open),
    );
    expect(rows[0]!.ts).toBe(Date.UTC(2019, 10, 27, 14, 30));

    const holiday = text.replace('2019-11-29', '2019-11-28');
    expect(importBarsCsv(store, holiday, { symbol: 'SPY', interval: '1d', clock })).toEqual({
      ok: false,
      errors: ['row 3: 2019-11-28 is not an NYSE trading day (Thanksgiving Day)'],
    });
    const twice = [
      'date,open,high,low,close,volume',
      '2019-11-27,10,11,9,10.5,100',
      '2019-11-27T20:00:00Z,10,11,9,10.5,100',
    ].join('\n');
    expect(importBarsCsv(store, twice, { symbol: 'SPY', interval: '1d', clock })).toEqual({
      ok: false,
      errors: ['row 3: 2019-11-27 already has a bar (row 2)'],
    });
  });

  it('names a daily bar’s day by a bare date, midnight UTC, or any instant of the New York day', () => {
    const open20 = sessionForDay('2020-03-09')!.open; // first Monday of EDT
    expect(open20).toBe(Date.UTC(2020, 2, 9, 13, 30));
    expect(dailyBarTs(Date.UTC(2020, 2, 9))).toBe(open20);
    expect(dailyBarTs(Date.UTC(2020, 2, 9, 4))).toBe(open20); // New York midnight
    expect(dailyBarTs(Date.UTC(2020, 2, 10, 3, 59))).toBe(open20); // 23:59 New York
    expect(dailyBarTs(open20)).toBe(open20);
    expect(dailyBarTs(Date.UTC(2020, 2, 8))).toBe('2020-03-08 is not an NYSE trading day (weekend)');
    expect(dailyBarTs(Date.UTC(1999, 11, 31))).toBe(Date.UTC(1999, 11, 31, 14, 30)); // before the calendar: 09:30 NY
  });
});

describe('bars CSV export', () => {
  it('writes the documented header and round-trips through import', () => {
    const { store } = open();
    const bars: StoredBar[] = [
      {
        symbol: 'NVDA',
        interval: '1m',
        ts: T,
        o: 0.1 + 0.2,
        h: 1e21,
        l: 1e-7,
        c: 123.456789,
        v: 1234.5,
        vw: 10.123456789,
        n: 42,
        provider: 'polygon',
        asOf: 5,
        status: 'live',
      },
      {
        symbol: 'NVDA',
        interval: '1m',
        ts: T + 60_000,
        o: 10,
        h: 10,
        l: 10,
        c: 10,
        v: 0,
        vw: null,
        n: null,
        provider: 'built',
        asOf: 6,
        status: 'amended',
      },
      {
        symbol: 'NVDA',
        interval: '1m',
        ts: T + 120_000,
        o: 11,
        h: 11,
        l: 11,
        c: 11,
        v: 1,
        vw: 11,
        n: 1,
        provider: 'built',
        asOf: 6,
        status: 'live',
      },
    ];
    store.upsert(bars);
    const csv = exportBarsCsv(store, { symbol: 'NVDA', interval: '1m', from: T, to: T + 120_000 });
    const lines = csv.split('\n');
    expect(lines[0]).toBe(EXPORT_HEADER);
    expect(EXPORT_HEADER).toBe('ts_ms,open,high,low,close,volume,vwap,trades,provider,status');
    expect(lines.slice(1)).toEqual([
      `${T},0.30000000000000004,1e+21,1e-7,123.456789,1234.5,10.123456789,42,polygon,live`,
      `${T + 60_000},10,10,10,10,0,,,built,amended`,
      '',
    ]);

    const { store: other } = open();
    const res = importBarsCsv(other, exportBarsCsv(store, { symbol: 'NVDA', interval: '1m' }), {
      symbol: 'NVDA',
      interval: '1m',
      clock,
    });
    expect(res).toMatchObject({ ok: true, imported: 3 });
    const strip = (b: StoredBar) => [b.ts, b.o, b.h, b.l, b.c, b.v, b.vw, b.n];
    expect(all(other).map(strip)).toEqual(bars.map(strip));
  });

  it('round-trips daily bars, and exports a header alone when there is nothing', () => {
    const { store } = open();
    const text = ['date,open,high,low,close,volume', '2024-07-03,10,11,9,10.5,100', '2024-07-05,10,11,9,10.5,100'].join(
      '\n',
    );
    expect(importBarsCsv(store, text, { symbol: 'SPY', interval: '1d', clock }).ok).toBe(true);
    const csv = exportBarsCsv(store, { symbol: 'SPY', interval: '1d' });
    const { store: other } = open();
    expect(importBarsCsv(other, csv, { symbol: 'SPY', interval: '1d', clock }).ok).toBe(true);
    expect(all(other, '1d', 'SPY').map((b) => b.ts)).toEqual(all(store, '1d', 'SPY').map((b) => b.ts));
    expect(all(other, '1d', 'SPY').map((b) => nyDateKey(b.ts))).toEqual(['2024-07-03', '2024-07-05']);
    expect(exportBarsCsv(store, { symbol: 'MSFT', interval: '1d' })).toBe(EXPORT_HEADER + '\n');
  });
});

describe('bundled S&P 500 daily dataset', () => {
  const resources = path.resolve(__dirname, '../../../resources');
  const bars = loadSp500Daily(resources);

  it('has every row, from 2000-01-03 to 2020-04-17, as SPX daily bars from the dataset', () => {
    expect(bars).toHaveLength(5105);
    expect(nyDateKey(bars[0]!.ts)).toBe('2000-01-03');
    expect(nyDateKey(bars.at(-1)!.ts)).toBe('2020-04-17');
    expect(bars[0]).toMatchObject({
      symbol: 'SPX',
      interval: '1d',
      provider: 'dataset',
      status: 'backfilled',
      vw: null,
      n: null,
    });
    expect(bars[0]).toMatchObject({ o: 1469.25, h: 1478, l: 1438.359985, c: 1455.219971, v: 931_800_000 });
    expect(bars.at(-1)).toMatchObject({ c: 2874.560059, v: 5_792_140_000 });
  });

  it('is sane: increasing session opens, positive prices inside high–low, positive volume', () => {
    let prev = -Infinity;
    for (const b of bars) {
      expect(b.ts).toBeGreaterThan(prev);
      prev = b.ts;
      expect(b.ts).toBe(sessionForDay(nyDateKey(b.ts))!.open);
      expect(b.l).toBeGreaterThan(0);
      expect(b.l).toBeLessThanOrEqual(Math.min(b.o, b.c));
      expect(b.h).toBeGreaterThanOrEqual(Math.max(b.o, b.c));
      expect(b.v).toBeGreaterThan(0);
    }
    // An index between its 2009 low and 2020 high.
    expect(Math.min(...bars.map((b) => b.l))).toBeCloseTo(666.79, 2);
    expect(Math.max(...bars.map((b) => b.h))).toBeCloseTo(3393.52, 2);
  });

  it('matches the NYSE calendar day for day: no missing and no extra days', () => {
    expect(checkDailyCalendar(bars)).toEqual({ tradingDays: 5105, missing: [], extra: [] });
    expect(checkDailyCalendar(bars.filter((_, i) => i !== 100)).missing).toEqual([nyDateKey(bars[100]!.ts)]);
  });

  it('refuses a damaged copy, naming the row', () => {
    const t = tempDir();
    cleanups.push(t.cleanup);
    const original = fs.readFileSync(path.join(resources, SP500_DAILY_FILE), 'utf8').split('\n');
    original[10] = original[10]!.replace(/^(\d{4}-\d{2}-\d{2}),([^,]+),/, '$1,NaN,');
    fs.mkdirSync(path.join(t.dir, 'datasets'));
    fs.writeFileSync(path.join(t.dir, SP500_DAILY_FILE), original.join('\n'));
    expect(() => loadSp500Daily(t.dir)).toThrow(/row 11: open "NaN" is not a number/);
    expect(() => loadSp500Daily(path.join(t.dir, 'nowhere'))).toThrow(/cannot read the bundled dataset/);
  });
});

describe('seeding the bundled dataset', () => {
  const resources = path.resolve(__dirname, '../../../resources');

  it('loads SPX daily bars into an empty store once, and leaves existing SPX history alone', () => {
    const { store } = open();
    expect(seedSp500Daily(store, resources)).toEqual({ seeded: 5105 });
    expect(all(store, '1d', 'SPX')).toHaveLength(5105);
    expect(seedSp500Daily(store, resources)).toEqual({ seeded: 0 });
    expect(all(store, '1d', 'SPX')).toHaveLength(5105);
  });

  it('reports a missing resources dir as an error and writes nothing', () => {
    const { store } = open();
    const r = seedSp500Daily(store, path.join(resources, 'nowhere'));
    expect(r).toMatchObject({ error: expect.stringMatching(/cannot read the bundled dataset/) });
    expect(all(store, '1d', 'SPX')).toEqual([]);
  });
});
