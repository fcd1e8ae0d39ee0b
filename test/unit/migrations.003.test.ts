import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, type Db } from '../../src/main/storage/db';
import { migrations } from '../../src/main/storage/migrations';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function open(): Db {
  const t = tempDir();
  const db = openDatabase(t.dir);
  cleanups.push(() => db.open && db.close(), t.cleanup);
  return db;
}

interface ColumnInfo {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

function columns(db: Db, table: string): [string, string, boolean, number][] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as ColumnInfo[]).map((c) => [
    c.name,
    c.type,
    c.notnull === 1,
    c.pk,
  ]);
}

function tableList(db: Db, table: string): { strict: number; wr: number } {
  return db.prepare('SELECT strict, wr FROM pragma_table_list WHERE name = ?').get(table) as {
    strict: number;
    wr: number;
  };
}

describe('migration 003: bars', () => {
  it('is number 3, named bars, and upgrades a version-2 database keeping its data', () => {
    const m3 = migrations.find((m) => m.version === 3);
    expect(m3?.name).toBe('bars');
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    migrate(
      db,
      migrations.filter((m) => m.version <= 2),
    );
    db.prepare(
      "INSERT INTO provider_switches (ts, symbol, from_provider, to_provider, reason) VALUES (1, 'NVDA', NULL, 'polygon', 'start')",
    ).run();
    expect(schemaVersion(db)).toBe(2);
    migrate(
      db,
      migrations.filter((m) => m.version <= 3),
    );
    expect(schemaVersion(db)).toBe(3);
    expect(db.prepare('SELECT COUNT(*) FROM provider_switches').pluck().get()).toBe(1);
    expect(db.prepare('SELECT COUNT(*) FROM bars').pluck().get()).toBe(0);
  });

  it('creates bars keyed by (symbol, interval, ts), STRICT and WITHOUT ROWID', () => {
    const db = open();
    expect(columns(db, 'bars')).toEqual([
      ['symbol', 'TEXT', true, 1],
      ['interval', 'TEXT', true, 2],
      ['ts', 'INTEGER', true, 3],
      ['o', 'REAL', true, 0],
      ['h', 'REAL', true, 0],
      ['l', 'REAL', true, 0],
      ['c', 'REAL', true, 0],
      ['v', 'REAL', true, 0],
      ['vw', 'REAL', false, 0],
      ['n', 'INTEGER', false, 0],
      ['provider', 'TEXT', true, 0],
      ['as_of', 'INTEGER', true, 0],
      ['status', 'TEXT', true, 0],
    ]);
    expect(tableList(db, 'bars')).toEqual({ strict: 1, wr: 1 });
  });

  it('enforces status, interval, non-negative volume, h >= l, and the key', () => {
    const db = open();
    const ins = db.prepare('INSERT INTO bars VALUES (?, ?, ?, 1, ?, 1, 1, ?, NULL, ?, ?, 0, ?)');
    expect(() => ins.run('X', '1m', 1, 2, 1, null, 'p', 'rumoured')).toThrow(/CHECK/);
    expect(() => ins.run('X', '5m', 1, 2, 1, null, 'p', 'live')).toThrow(/CHECK/);
    expect(() => ins.run('X', '1m', 1, 2, -1, null, 'p', 'live')).toThrow(/CHECK/);
    expect(() => ins.run('X', '1m', 1, 0.5, 1, null, 'p', 'live')).toThrow(/CHECK/); // high below low
    expect(() => ins.run('X', '1m', 1.5, 2, 1, null, 'p', 'live')).toThrow(/INTEGER/); // STRICT: ts must be an integer
    for (const status of ['live', 'backfilled', 'amended']) ins.run(`S${status.length}`, '1d', 1, 2, 1, 3, 'p', status);
    ins.run('X', '1m', 1, 2, 1, null, 'p', 'live');
    expect(() => ins.run('X', '1m', 1, 2, 1, null, 'p', 'live')).toThrow(/UNIQUE|PRIMARY/);
    ins.run('X', '1d', 1, 2, 1, null, 'p', 'live'); // same ts, other interval: another row
    expect(db.prepare('SELECT COUNT(*) FROM bars').pluck().get()).toBe(5);
  });

  it('creates ingestion_cursors keyed by (symbol, interval, provider)', () => {
    const db = open();
    expect(columns(db, 'ingestion_cursors')).toEqual([
      ['symbol', 'TEXT', true, 1],
      ['interval', 'TEXT', true, 2],
      ['provider', 'TEXT', true, 3],
      ['ts', 'INTEGER', true, 0],
    ]);
    expect(tableList(db, 'ingestion_cursors')).toEqual({ strict: 1, wr: 1 });
    const ins = db.prepare('INSERT INTO ingestion_cursors VALUES (?, ?, ?, ?)');
    ins.run('NVDA', '1m', 'polygon', 1);
    ins.run('NVDA', '1m', 'alpaca', 1);
    expect(() => ins.run('NVDA', '1m', 'polygon', 2)).toThrow(/UNIQUE|PRIMARY/);
  });
});

describe('migration 004: quotes_raw', () => {
  it('upgrades a version-3 database keeping its bars', () => {
    const db = new Database(':memory:');
    cleanups.push(() => db.close());
    migrate(
      db,
      migrations.filter((m) => m.version <= 3),
    );
    db.prepare("INSERT INTO bars VALUES ('X', '1m', 60000, 1, 2, 1, 1, 5, NULL, NULL, 'p', 0, 'live')").run();
    migrate(
      db,
      migrations.filter((m) => m.version <= 4),
    );
    expect(schemaVersion(db)).toBe(4);
    expect(migrations.find((m) => m.version === 4)?.name).toBe('quotes_raw');
    expect(db.prepare('SELECT COUNT(*) FROM bars').pluck().get()).toBe(1);
  });

  it('creates quotes_raw with indexes on ts and (symbol, ts) for retention and lookups', () => {
    const db = open();
    expect(columns(db, 'quotes_raw')).toEqual([
      ['symbol', 'TEXT', true, 0],
      ['ts', 'INTEGER', true, 0],
      ['bid', 'REAL', true, 0],
      ['ask', 'REAL', true, 0],
      ['bid_size', 'REAL', true, 0],
      ['ask_size', 'REAL', true, 0],
      ['provider', 'TEXT', true, 0],
    ]);
    expect(tableList(db, 'quotes_raw')).toEqual({ strict: 1, wr: 0 });
    const indexes = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'quotes_raw' ORDER BY name")
      .pluck()
      .all();
    expect(indexes).toEqual(['quotes_raw_symbol_ts', 'quotes_raw_ts']);
    const ins = db.prepare('INSERT INTO quotes_raw VALUES (?, ?, 10, 10.01, ?, 100, ?)');
    ins.run('NVDA', 1, 100, 'polygon');
    ins.run('NVDA', 1, 100, 'polygon'); // a log: repeats are allowed
    expect(() => ins.run('NVDA', 2, -1, 'polygon')).toThrow(/CHECK/);
    expect(() => ins.run('NVDA', 2, 1, null)).toThrow(/NOT NULL/);
  });
});
