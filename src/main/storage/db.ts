import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { migrations as bundledMigrations, type Migration } from './migrations';

export type Db = Database.Database;

/** A storage problem the operator can act on: the message says what and where. */
export class StorageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StorageError';
  }
}

export const DB_FILE = 'kestrel.db';

/**
 * Opens (creating if needed) the data dir and its database, sets the pragmas and runs the
 * migrations. synchronous=FULL: order, fill and kill-switch writes must survive power loss, not
 * just a process crash; our write rate is low enough that the extra fsync is cheap.
 */
export function openDatabase(dataDir: string, migrations: readonly Migration[] = bundledMigrations): Db {
  ensureWritableDir(dataDir);
  const file = path.join(dataDir, DB_FILE);
  let db: Db;
  try {
    db = new Database(file);
  } catch (err) {
    throw new StorageError(`cannot open database ${file}: ${(err as Error).message}`, { cause: err });
  }
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, migrations);
  } catch (err) {
    db.close();
    if (err instanceof StorageError) throw err;
    throw new StorageError(`cannot prepare database ${file}: ${(err as Error).message}`, { cause: err });
  }
  return db;
}

export function ensureWritableDir(dataDir: string): void {
  try {
    fs.mkdirSync(dataDir, { recursive: true });
    const probe = path.join(dataDir, `.write-probe-${process.pid}`);
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new StorageError(
      `data dir ${dataDir} is not writable (${code}). Choose another with --data-dir or KESTREL_DATA_DIR.`,
      {
        cause: err,
      },
    );
  }
}

export function schemaVersion(db: Db): number {
  const row = db.prepare('SELECT MAX(version) AS v FROM schema_version').get() as { v: number | null };
  return row.v ?? 0;
}

/** Applies each pending migration in its own transaction and records it in schema_version. */
export function migrate(db: Db, migrations: readonly Migration[]): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT`);
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new StorageError(
      `database schema version ${current} is newer than this build knows (${latest}). Upgrade Kestrel or use another data dir.`,
    );
  }
  const record = db.prepare('INSERT INTO schema_version (version, name, applied_at) VALUES (?, ?, ?)');
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      // Wall time here is metadata about the file, not domain time.
      record.run(m.version, m.name, Date.now());
    })();
  }
}
