import { afterEach, describe, expect, it } from 'vitest';
import type { StoredBar } from '../../../src/main/bars/types';
import { SqliteBarStore } from '../../../src/main/storage/barRepo';
import { openDatabase, type Db } from '../../../src/main/storage/db';
import { tempDir } from '../../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(): { db: Db; store: SqliteBarStore; dir: string } {
  const t = tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  return { db, store: new SqliteBarStore(db), dir: t.dir };
}

const T = Date.UTC(2026, 10, 20, 14, 30);
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
    expect(store.latestTs('MSFT', '1m')).toBeNull();
  });

  it('writes a batch atomically: one bad row and nothing of the batch lands', () => {
    const { store } = open();
    expect(() => store.upsert([bar(0), bar(1, { h: 1, l: 5 }), bar(2)])).toThrow(/CHECK/);
    expect(store.range('NVDA', '1m', 0, Number.MAX_SAFE_INTEGER)).toEqual([]);
  });

  it('keeps ingestion cursors per symbol, interval and provider, never moving back', () => {
    const { store } = open();
    expect(store.cursor('NVDA', '1m', 'polygon')).toBeNull();
    store.setCursor('NVDA', '1m', 'polygon', T + 60_000);
    store.setCursor('NVDA', '1m', 'polygon', T);
    store.setCursor('NVDA', '1m', 'alpaca', T);
    expect(store.cursor('NVDA', '1m', 'polygon')).toBe(T + 60_000);
    expect(store.cursor('NVDA', '1m', 'alpaca')).toBe(T);
  });

  it('migration 003 enforces status, interval, non-negative volume and h >= l', () => {
    const { db } = open();
    const ins = db.prepare('INSERT INTO bars VALUES (?, ?, ?, 1, 2, 1, 1, ?, NULL, NULL, ?, 0, ?)');
    expect(() => ins.run('X', '1m', 1, 1, 'p', 'rumoured')).toThrow(/CHECK/);
    expect(() => ins.run('X', '5m', 1, 1, 'p', 'live')).toThrow(/CHECK/);
    expect(() => ins.run('X', '1m', 1, -1, 'p', 'live')).toThrow(/CHECK/);
    ins.run('X', '1m', 1, 1, 'p', 'live');
    expect(() => ins.run('X', '1m', 1, 1, 'p', 'live')).toThrow(/UNIQUE|PRIMARY/);
  });
});
