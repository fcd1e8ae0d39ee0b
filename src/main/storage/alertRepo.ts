import { AlertKind, type Alert, type AlertLevel, type AlertRecord } from '../../shared/domain';
import type { Db } from './db';

/** Where AlertCenter keeps its history; the engine gives it SQLite, tests may give it nothing. */
export interface AlertStore {
  append(alert: Alert): void;
  /** Newest first; `beforeId` pages past the oldest alert already shown. */
  list(limit: number, beforeId?: string): AlertRecord[];
  /** True if the id exists. */
  has(id: string): boolean;
  /** Marks one alert read; false when the id is unknown. */
  ack(id: string, ts: number): boolean;
  ackAll(ts: number): number;
  unread(): number;
}

interface Row {
  id: string;
  ts: number;
  level: AlertLevel;
  kind: string;
  title: string;
  message: string;
  symbol: string | null;
  acked_at: number | null;
}

function toRecord(r: Row): AlertRecord {
  const kind = AlertKind.safeParse(r.kind);
  return {
    id: r.id,
    ts: r.ts,
    level: r.level,
    // A kind written by a newer build reads as 'other' rather than failing the whole page.
    kind: kind.success ? kind.data : 'other',
    title: r.title,
    message: r.message,
    ...(r.symbol === null ? {} : { symbol: r.symbol }),
    ackedAt: r.acked_at,
  };
}

const COLUMNS = 'id, ts, level, kind, title, message, symbol, acked_at';

export class SqliteAlertStore implements AlertStore {
  private readonly insert;
  private readonly latest;
  private readonly older;
  private readonly seqOf;
  private readonly ackOne;
  private readonly ackEvery;
  private readonly countUnread;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO alerts (id, ts, level, kind, title, message, symbol) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.latest = db.prepare(`SELECT ${COLUMNS} FROM alerts ORDER BY seq DESC LIMIT ?`);
    this.older = db.prepare(`SELECT ${COLUMNS} FROM alerts WHERE seq < ? ORDER BY seq DESC LIMIT ?`);
    this.seqOf = db.prepare('SELECT seq FROM alerts WHERE id = ?').pluck();
    this.ackOne = db.prepare('UPDATE alerts SET acked_at = COALESCE(acked_at, ?) WHERE id = ?');
    this.ackEvery = db.prepare('UPDATE alerts SET acked_at = ? WHERE acked_at IS NULL');
    this.countUnread = db.prepare('SELECT COUNT(*) FROM alerts WHERE acked_at IS NULL').pluck();
  }

  append(a: Alert): void {
    this.insert.run(a.id, a.ts, a.level, a.kind, a.title, a.message, a.symbol ?? null);
  }

  list(limit: number, beforeId?: string): AlertRecord[] {
    if (beforeId === undefined) return (this.latest.all(limit) as Row[]).map(toRecord);
    const seq = this.seqOf.get(beforeId) as number | undefined;
    if (seq === undefined) throw new RangeError(`no alert with id ${beforeId}`);
    return (this.older.all(seq, limit) as Row[]).map(toRecord);
  }

  has(id: string): boolean {
    return this.seqOf.get(id) !== undefined;
  }

  ack(id: string, ts: number): boolean {
    return this.ackOne.run(ts, id).changes > 0;
  }

  ackAll(ts: number): number {
    return this.ackEvery.run(ts).changes;
  }

  unread(): number {
    return this.countUnread.get() as number;
  }
}
