/**
 * Bars in SQLite (migration 003). Every write is batched: `upsert` runs one transaction per call
 * with one prepared statement; the live path goes through BarWriteBuffer (../bars/writeBuffer.ts).
 */
import type { Quote } from '../../shared/domain';
import type { BarInterval, BarStore, StoredBar } from '../bars/types';
import type { Db } from './db';

/** Column order of every bars SELECT here; rows come back as arrays (raw mode) to skip per-row key lookups. */
const COLUMNS = 'symbol, interval, ts, o, h, l, c, v, vw, n, provider, as_of, status';
type RawRow = [
  string,
  BarInterval,
  number,
  number,
  number,
  number,
  number,
  number,
  number | null,
  number | null,
  string,
  number,
  StoredBar['status'],
];

const fromRaw = (r: RawRow): StoredBar => ({
  symbol: r[0],
  interval: r[1],
  ts: r[2],
  o: r[3],
  h: r[4],
  l: r[5],
  c: r[6],
  v: r[7],
  vw: r[8],
  n: r[9],
  provider: r[10],
  asOf: r[11],
  status: r[12],
});

/** Chart-ready columns: index i of every array is one bar, oldest first. `time` is epoch ms UTC. */
export interface BarColumns {
  time: Float64Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

export class SqliteBarStore implements BarStore {
  private readonly selectRange;
  private readonly selectColumns;
  private readonly selectTs;
  private readonly selectLatest;
  private readonly selectEarliest;
  private readonly selectCount;
  private readonly selectCursor;
  private readonly upsertCursor;
  private readonly writeMany;

  constructor(db: Db) {
    const insert = db.prepare(
      `INSERT OR REPLACE INTO bars (${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.writeMany = db.transaction((bars: readonly StoredBar[]) => {
      // The newest bar per (symbol, interval, provider) in this batch moves its ingestion cursor,
      // in the same transaction, so a cursor never points past bars that did not land.
      const newest: StoredBar[] = [];
      let run: StoredBar | undefined;
      for (let i = 0; i < bars.length; i++) {
        const b = bars[i]!;
        // Positional parameters: about a third faster than binding the object by name.
        insert.run(b.symbol, b.interval, b.ts, b.o, b.h, b.l, b.c, b.v, b.vw, b.n, b.provider, b.asOf, b.status);
        // Batches come in runs of one symbol and provider: compare with the run's bar, not a map.
        if (
          run !== undefined &&
          run.symbol === b.symbol &&
          run.interval === b.interval &&
          run.provider === b.provider
        ) {
          if (b.ts > run.ts) newest[newest.length - 1] = run = b;
        } else {
          newest.push((run = b));
        }
      }
      // A key seen in several runs moves its cursor once per run; MAX() in the upsert keeps the newest.
      for (const b of newest) this.upsertCursor.run(b.symbol, b.interval, b.provider, b.ts);
    });
    this.selectRange = db
      .prepare(`SELECT ${COLUMNS} FROM bars WHERE symbol = ? AND interval = ? AND ts >= ? AND ts < ? ORDER BY ts`)
      .raw(true);
    this.selectColumns = db
      .prepare(
        'SELECT ts, o, h, l, c, v FROM bars WHERE symbol = ? AND interval = ? AND ts >= ? AND ts < ? ORDER BY ts',
      )
      .raw(true);
    this.selectTs = db
      .prepare('SELECT ts FROM bars WHERE symbol = ? AND interval = ? AND ts >= ? AND ts < ? ORDER BY ts')
      .pluck();
    this.selectLatest = db.prepare('SELECT MAX(ts) FROM bars WHERE symbol = ? AND interval = ?').pluck();
    this.selectEarliest = db.prepare('SELECT MIN(ts) FROM bars WHERE symbol = ? AND interval = ?').pluck();
    this.selectCount = db.prepare('SELECT COUNT(*) FROM bars WHERE symbol = ? AND interval = ?').pluck();
    this.selectCursor = db
      .prepare('SELECT ts FROM ingestion_cursors WHERE symbol = ? AND interval = ? AND provider = ?')
      .pluck();
    this.upsertCursor = db.prepare(
      `INSERT INTO ingestion_cursors (symbol, interval, provider, ts) VALUES (?, ?, ?, ?)
       ON CONFLICT (symbol, interval, provider) DO UPDATE SET ts = MAX(ts, excluded.ts)`,
    );
  }

  /** Inserts or replaces by (symbol, interval, ts), all in one transaction: every row lands or none does. */
  upsert(bars: readonly StoredBar[]): void {
    if (bars.length > 0) this.writeMany(bars);
  }

  range(symbol: string, interval: BarInterval, fromTs: number, toTs: number): StoredBar[] {
    return (this.selectRange.all(symbol, interval, fromTs, toTs) as RawRow[]).map(fromRaw);
  }

  /** Bars with ts in [fromTs, toTs) as parallel typed arrays for the chart, oldest first. */
  columns(symbol: string, interval: BarInterval, fromTs: number, toTs: number): BarColumns {
    const rows = this.selectColumns.all(symbol, interval, fromTs, toTs) as number[][];
    const n = rows.length;
    const out: BarColumns = {
      time: new Float64Array(n),
      open: new Float64Array(n),
      high: new Float64Array(n),
      low: new Float64Array(n),
      close: new Float64Array(n),
      volume: new Float64Array(n),
    };
    const { time, open, high, low, close, volume } = out;
    for (let i = 0; i < n; i++) {
      const r = rows[i]!;
      time[i] = r[0]!;
      open[i] = r[1]!;
      high[i] = r[2]!;
      low[i] = r[3]!;
      close[i] = r[4]!;
      volume[i] = r[5]!;
    }
    return out;
  }

  timestamps(symbol: string, interval: BarInterval, fromTs: number, toTs: number): number[] {
    return this.selectTs.all(symbol, interval, fromTs, toTs) as number[];
  }

  latestTs(symbol: string, interval: BarInterval): number | null {
    return (this.selectLatest.get(symbol, interval) as number | null) ?? null;
  }

  earliestTs(symbol: string, interval: BarInterval): number | null {
    return (this.selectEarliest.get(symbol, interval) as number | null) ?? null;
  }

  count(symbol: string, interval: BarInterval): number {
    return this.selectCount.get(symbol, interval) as number;
  }

  cursor(symbol: string, interval: BarInterval, provider: string): number | null {
    return (this.selectCursor.get(symbol, interval, provider) as number | undefined) ?? null;
  }

  /** Moves the cursor forward; a ts older than the stored one leaves it where it is. */
  setCursor(symbol: string, interval: BarInterval, provider: string, ts: number): void {
    this.upsertCursor.run(symbol, interval, provider, ts);
  }
}

/** The raw quote log (table quotes_raw), pruned by applyRetention. Appends are batched like bars. */
export class SqliteQuoteLog {
  private readonly writeMany;
  private readonly selectCount;

  constructor(db: Db) {
    const insert = db.prepare(
      'INSERT INTO quotes_raw (symbol, ts, bid, ask, bid_size, ask_size, provider) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.writeMany = db.transaction((quotes: readonly Quote[]) => {
      for (const q of quotes) insert.run(q.symbol, q.ts, q.bid, q.ask, q.bidSize, q.askSize, q.provider);
    });
    this.selectCount = db.prepare('SELECT COUNT(*) FROM quotes_raw').pluck();
  }

  /** Appends in one transaction. */
  append(quotes: readonly Quote[]): void {
    if (quotes.length > 0) this.writeMany(quotes);
  }

  count(): number {
    return this.selectCount.get() as number;
  }
}
