import type { Db } from './db';

/** Settings as JSON values by key. Secrets never come here: see SecretStore. */
export class SettingsRepo {
  private readonly select;
  private readonly upsert;

  constructor(db: Db) {
    this.select = db.prepare('SELECT value FROM settings WHERE key = ?');
    this.upsert = db.prepare(
      `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
    );
  }

  get<T>(key: string): T | undefined {
    const row = this.select.get(key) as { value: string } | undefined;
    return row ? (JSON.parse(row.value) as T) : undefined;
  }

  set(key: string, value: unknown, updatedAt: number): void {
    this.upsert.run(key, JSON.stringify(value), updatedAt);
  }
}
