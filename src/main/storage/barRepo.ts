import type { BarInterval, BarStore, StoredBar } from '../bars/types';
import type { Db } from './db';

interface Row {
  symbol: string;
  interval: BarInterval;
  ts: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  vw: number | null;
  n: number | null;
  provider: string;
  as_of: number;
  status: StoredBar['status'];
}

const fromRow = (r: Row): StoredBar => ({
  symbol: r.symbol,
  interval: r.interval,
  ts: r.ts,
  o: r.o,
  h: r.h,
  l: r.l,
  c: r.c,
  v: r.v,
  vw: r.vw,
  n: r.n,
  provider: r.provider,
  asOf: r.as_of,
  status: r.status,
});

/** Bars in SQLite. Writes are batched: one transaction per `upsert`, never a row per statement. */
export class SqliteBarStore implements BarStore {
  private readonly insert;
  private readonly selectRange;
  private readonly selectTs;
  private readonly selectLatest;
  private readonly selectCursor;
  private readonly upsertCursor;
  private readonly writeMany;

  constructor(private readonly db: Db) {
    this.insert = db.prepare(
      `INSERT OR REPLACE INTO bars (symbol, interval, ts, o, h, l, c, v, vw, n, provider, as_of, status)
       VALUES (@symbol, @interval, @ts, @o, @h, @l, @c, @v, @vw, @n, @provider, @asOf, @status)`,
    );
    this.selectRange = db.prepare(
      'SELECT * FROM bars WHERE symbol = ? AND interval = ? AND ts >= ? AND ts < ? ORDER BY ts',
    );
    this.selectTs = db
      .prepare('SELECT ts FROM bars WHERE symbol = ? AND interval = ? AND ts >= ? AND ts < ? ORDER BY ts')
      .pluck();
    this.selectLatest = db.prepare('SELECT MAX(ts) FROM bars WHERE symbol = ? AND interval = ?').pluck();
    this.selectCursor = db
      .prepare('SELECT ts FROM ingestion_cursors WHERE symbol = ? AND interval = ? AND provider = ?')
      .pluck();
    this.upsertCursor = db.prepare(
      `INSERT INTO ingestion_cursors (symbol, interval, provider, ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol, interval, provider) DO UPDATE SET ts = MAX(ts, excluded.ts)`,
    );
    this.writeMany = db.transaction((bars: readonly StoredBar[]) => {
      for (const b of bars) this.insert.run(b);
    });
  }

  upsert(bars: readonly StoredBar[]): void {
    if (bars.length > 0) this.writeMany(bars);
  }

  range(symbol: string, interval: BarInterval, fromTs: number, toTs: number): StoredBar[] {
    return (this.selectRange.all(symbol, interval, fromTs, toTs) as Row[]).map(fromRow);
  }

  timestamps(symbol: string, interval: BarInterval, fromTs: number, toTs: number): number[] {
    return this.selectTs.all(symbol, interval, fromTs, toTs) as number[];
  }

  latestTs(symbol: string, interval: BarInterval): number | null {
    return (this.selectLatest.get(symbol, interval) as number | null) ?? null;
  }

  cursor(symbol: string, interval: BarInterval, provider: string): number | null {
    return (this.selectCursor.get(symbol, interval, provider) as number | undefined) ?? null;
  }

  setCursor(symbol: string, interval: BarInterval, provider: string, ts: number): void {
    this.upsertCursor.run(symbol, interval, provider, ts);
  }
}
