/**
 * Signal decisions in SQLite (migration 006). `append` only queues: the decision path never waits
 * for a disk sync (with synchronous=FULL a commit is an fsync, far over the 1 ms decision budget).
 * `flush` writes everything queued in one transaction, about once a second and before every read,
 * so `recent` always includes the latest decisions. A failed flush keeps the rows queued.
 */
import type { Signal, SignalBlockReason } from '../../shared/domain';
import type { Db } from './db';

interface Row {
  id: number;
  ts: number;
  bar_ts: number;
  policy: Signal['policy'];
  symbols: string;
  action: Signal['action'];
  legs: string;
  probs: string;
  confidence: number;
  threshold: number;
  passed: number;
  reason: SignalBlockReason | null;
  reasons: string;
  detail: string;
  latency_us: number;
  mode: Signal['mode'];
}

const fromRow = (r: Row): Signal => ({
  id: r.id,
  ts: r.ts,
  barTs: r.bar_ts,
  policy: r.policy,
  symbols: r.symbols.split('/'),
  action: r.action,
  legs: JSON.parse(r.legs) as Signal['legs'],
  probs: JSON.parse(r.probs) as number[],
  confidence: r.confidence,
  threshold: r.threshold,
  passed: r.passed === 1,
  reason: r.reason,
  reasons: JSON.parse(r.reasons) as SignalBlockReason[],
  detail: r.detail,
  latencyUs: r.latency_us,
  mode: r.mode,
});

/** Queue bound: beyond it (storage down for a long time) the oldest decisions are dropped and counted. */
const MAX_QUEUED = 100_000;

export class SignalRepo {
  private readonly insert;
  private readonly selectRecent;
  private readonly selectRecentFor;
  private readonly writeAll;
  private queue: Signal[] = [];
  /** Decisions dropped because the queue overflowed while storage failed. */
  dropped = 0;

  constructor(db: Db) {
    this.insert = db.prepare(
      `INSERT INTO signals (ts, bar_ts, policy, symbols, action, legs, probs, confidence, threshold, passed, reason,
         reasons, detail, latency_us, mode)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.selectRecent = db.prepare('SELECT * FROM signals ORDER BY id DESC LIMIT ?');
    // A symbol matches itself and every pair it is a leg of.
    this.selectRecentFor = db.prepare(
      `SELECT * FROM signals WHERE instr('/' || symbols || '/', '/' || ? || '/') > 0 ORDER BY id DESC LIMIT ?`,
    );
    this.writeAll = db.transaction((rows: readonly Signal[]) => {
      for (const s of rows) {
        this.insert.run(
          s.ts,
          s.barTs,
          s.policy,
          s.symbols.join('/'),
          s.action,
          JSON.stringify(s.legs),
          JSON.stringify(s.probs),
          s.confidence,
          s.threshold,
          s.passed ? 1 : 0,
          s.reason,
          JSON.stringify(s.reasons),
          s.detail,
          s.latencyUs,
          s.mode,
        );
      }
    });
  }

  /** Queues one decision; nothing touches the disk here. */
  append(signal: Signal): void {
    this.queue.push(signal);
    if (this.queue.length > MAX_QUEUED) {
      this.queue.shift();
      this.dropped++;
    }
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Writes the queue in one transaction; returns the rows written. Throws and keeps them on failure. */
  flush(): number {
    if (this.queue.length === 0) return 0;
    const rows = this.queue;
    this.writeAll(rows);
    this.queue = [];
    return rows.length;
  }

  /** Newest first, after writing the queue. */
  recent(opts: { symbol?: string; limit?: number } = {}): Signal[] {
    this.flush();
    const limit = opts.limit ?? 100;
    const rows = (opts.symbol ? this.selectRecentFor.all(opts.symbol, limit) : this.selectRecent.all(limit)) as Row[];
    return rows.map(fromRow);
  }
}
