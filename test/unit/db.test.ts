import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrate, openDatabase, schemaVersion, StorageError, type Db } from '../../src/main/storage/db';
import { migrations } from '../../src/main/storage/migrations';
import { tempDir } from '../helpers/tmp';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function freshDir(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

function open(dir = freshDir()): Db {
  const db = openDatabase(dir);
  cleanups.unshift(() => db.open && db.close());
  return db;
}

describe('storage', () => {
  it('numbers migrations from 001 without holes', () => {
    expect(migrations.map((m) => m.version)).toEqual(migrations.map((_, i) => i + 1));
    expect(migrations[0]!.name).toBe('foundation');
  });

  it('sets WAL, synchronous=FULL, foreign keys and a busy timeout', () => {
    const db = open();
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('runs every migration once and records it in schema_version', () => {
    const dir = freshDir();
    const db = open(dir);
    expect(schemaVersion(db)).toBe(migrations.length);
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type='table'").all() as { name: string }[]).map(
      (r) => r.name,
    );
    expect(tables).toEqual(
      expect.arrayContaining(['settings', 'symbol_modes', 'trading_state', 'audit_log', 'schema_version']),
    );
    db.close();
    const again = open(dir);
    expect((again.prepare('SELECT COUNT(*) AS n FROM schema_version').get() as { n: number }).n).toBe(
      migrations.length,
    );
  });

  // Signal's practice: each migration gets its own test, from the previous version.
  it('migration 001 creates an append-only audit log', () => {
    const db = open();
    db.prepare("INSERT INTO audit_log (ts, surface, action, reason) VALUES (1, 'cli', 'x', 'because')").run();
    expect(() => db.prepare("UPDATE audit_log SET reason = 'rewritten'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(() => db.prepare("INSERT INTO symbol_modes VALUES ('NVDA', 'yolo', 1)").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO trading_state VALUES (2, 'HALTED', 'r', 1, 'cli')").run()).toThrow(/CHECK/);
  });

  it('applies a failing migration atomically: nothing of it remains', () => {
    const db = open();
    const bad = [
      ...migrations,
      { version: migrations.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); THIS IS NOT SQL;' },
    ];
    expect(() => migrate(db, bad)).toThrow();
    expect(schemaVersion(db)).toBe(migrations.length);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
  });

  it('refuses a database newer than this build', () => {
    const dir = freshDir();
    const db = open(dir);
    db.prepare("INSERT INTO schema_version VALUES (999, 'future', 0)").run();
    db.close();
    expect(() => openDatabase(dir)).toThrow(/newer than this build/);
  });

  it('gives a clear StorageError when the data dir cannot be written', () => {
    const dir = freshDir();
    const file = path.join(dir, 'not-a-dir');
    fs.writeFileSync(file, 'x');
    expect(() => openDatabase(path.join(file, 'data'))).toThrow(StorageError);
    expect(() => openDatabase(path.join(file, 'data'))).toThrow(/not writable.*--data-dir/);
  });
});
