/**
 * Backfill jobs in SQLite (migration 005). The queue lives here, not in memory: queued and dead
 * jobs survive restarts, and the runner reads one due job at a time, so memory holds none of them.
 */
import type { BackfillJob, BackfillJobState, BackfillTier } from '../../shared/domain';
import type { BarInterval } from '../bars/types';
import type { Db } from './db';

interface Row {
  id: number;
  symbol: string;
  interval: BarInterval;
  from_ts: number;
  to_ts: number;
  tier: BackfillTier;
  state: BackfillJobState;
  attempts: number;
  next_attempt_at: number;
  last_error: string | null;
  provider: string | null;
  bars_filled: number;
  created_at: number;
  updated_at: number;
}

const fromRow = (r: Row): BackfillJob => ({
  id: r.id,
  symbol: r.symbol,
  interval: r.interval,
  fromTs: r.from_ts,
  toTs: r.to_ts,
  tier: r.tier,
  state: r.state,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  lastError: r.last_error,
  provider: r.provider,
  barsFilled: r.bars_filled,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface NewJob {
  symbol: string;
  fromTs: number;
  toTs: number;
  tier: BackfillTier;
}

export type TierCounts = Record<BackfillTier, number>;

export class BackfillRepo {
  private readonly insertStmt;
  private readonly overlapStmt;
  private readonly overlapStatesStmt;
  private readonly openByTierStmt;
  private readonly countStateStmt;
  private readonly nextDueStmt;
  private readonly getStmt;
  private readonly setStateStmt;
  private readonly failStmt;
  private readonly doneStmt;
  private readonly listStmt;
  private readonly listAllStmt;
  private readonly requeueStmt;
  private readonly deleteStmt;
  private readonly deadIdsStmt;
  private readonly resetRunningStmt;
  private readonly pruneDoneStmt;
  private readonly insertMany;

  constructor(private readonly db: Db) {
    this.insertStmt = db.prepare(
      `INSERT OR IGNORE INTO backfill_jobs
         (symbol, interval, from_ts, to_ts, tier, state, attempts, next_attempt_at, created_at, updated_at)
       VALUES (?, '1m', ?, ?, ?, 'queued', 0, ?, ?, ?)`,
    );
    this.overlapStmt = db
      .prepare(
        `SELECT from_ts, to_ts FROM backfill_jobs
         WHERE symbol = ? AND interval = '1m' AND from_ts < ? AND to_ts > ? ORDER BY from_ts`,
      )
      .raw(true);
    this.overlapStatesStmt = db
      .prepare(`SELECT state FROM backfill_jobs WHERE symbol = ? AND interval = '1m' AND from_ts < ? AND to_ts > ?`)
      .pluck();
    this.openByTierStmt = db.prepare(
      `SELECT tier, COUNT(*) AS n FROM backfill_jobs WHERE state IN ('queued', 'running') GROUP BY tier`,
    );
    this.countStateStmt = db.prepare('SELECT COUNT(*) FROM backfill_jobs WHERE state = ?').pluck();
    // Tier names sort in priority order (T0 < T1 < T2).
    this.nextDueStmt = db.prepare(
      `SELECT * FROM backfill_jobs WHERE state = 'queued' AND next_attempt_at <= ?
       ORDER BY tier, next_attempt_at, id LIMIT 1`,
    );
    this.getStmt = db.prepare('SELECT * FROM backfill_jobs WHERE id = ?');
    this.setStateStmt = db.prepare('UPDATE backfill_jobs SET state = ?, updated_at = ? WHERE id = ?');
    this.failStmt = db.prepare(
      `UPDATE backfill_jobs SET state = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?,
         provider = ?, updated_at = ? WHERE id = ?`,
    );
    this.doneStmt = db.prepare(
      `UPDATE backfill_jobs SET state = 'done', attempts = attempts + 1, bars_filled = ?, provider = ?,
         last_error = ?, updated_at = ? WHERE id = ?`,
    );
    this.listStmt = db.prepare('SELECT * FROM backfill_jobs WHERE state = ? ORDER BY id DESC LIMIT ?');
    this.listAllStmt = db.prepare('SELECT * FROM backfill_jobs ORDER BY id DESC LIMIT ?');
    this.requeueStmt = db.prepare(
      `UPDATE backfill_jobs SET state = 'queued', attempts = 0, next_attempt_at = ?, updated_at = ?
       WHERE id = ? AND state = 'dead'`,
    );
    this.deleteStmt = db.prepare(`DELETE FROM backfill_jobs WHERE id = ? AND state = 'dead'`);
    this.deadIdsStmt = db.prepare(`SELECT id FROM backfill_jobs WHERE state = 'dead' ORDER BY id`).pluck();
    this.resetRunningStmt = db.prepare(
      `UPDATE backfill_jobs SET state = 'queued', updated_at = ? WHERE state = 'running'`,
    );
    this.pruneDoneStmt = db.prepare(`DELETE FROM backfill_jobs WHERE state = 'done' AND to_ts < ?`);
    this.insertMany = db.transaction((jobs: readonly NewJob[], now: number) => {
      let n = 0;
      for (const j of jobs) n += this.insertStmt.run(j.symbol, j.fromTs, j.toTs, j.tier, now, now, now).changes;
      return n;
    });
  }

  /** Inserts queued jobs in one transaction; a range already open is skipped. Returns how many were added. */
  enqueue(jobs: readonly NewJob[], now: number): number {
    return jobs.length === 0 ? 0 : this.insertMany(jobs, now);
  }

  /** [from, to) of every job of any state that overlaps [fromTs, toTs), oldest first. */
  overlapping(symbol: string, fromTs: number, toTs: number): [number, number][] {
    return this.overlapStmt.all(symbol, toTs, fromTs) as [number, number][];
  }

  /** States of the jobs overlapping [fromTs, toTs). */
  overlappingJobs(symbol: string, fromTs: number, toTs: number): BackfillJobState[] {
    return this.overlapStatesStmt.all(symbol, toTs, fromTs) as BackfillJobState[];
  }

  /** Queued plus running jobs per tier: what the depth caps limit. */
  openByTier(): TierCounts {
    const out: TierCounts = { T0: 0, T1: 0, T2: 0 };
    for (const r of this.openByTierStmt.all() as { tier: BackfillTier; n: number }[]) out[r.tier] = r.n;
    return out;
  }

  count(state: BackfillJobState): number {
    return this.countStateStmt.get(state) as number;
  }

  /** The best due job, marked running in the same statement sequence (one process, one writer). */
  claimNext(now: number): BackfillJob | null {
    const row = this.nextDueStmt.get(now) as Row | undefined;
    if (!row) return null;
    this.setStateStmt.run('running', now, row.id);
    return fromRow({ ...row, state: 'running', updated_at: now });
  }

  get(id: number): BackfillJob | null {
    const row = this.getStmt.get(id) as Row | undefined;
    return row ? fromRow(row) : null;
  }

  /** Back to queued without counting an attempt (the engine stopped mid-request). */
  release(id: number, now: number): void {
    this.setStateStmt.run('queued', now, id);
  }

  /** Counts a failed attempt: queued again at `nextAttemptAt`, or dead. */
  fail(id: number, dead: boolean, nextAttemptAt: number, error: string, provider: string | null, now: number): void {
    this.failStmt.run(dead ? 'dead' : 'queued', nextAttemptAt, error, provider, now, id);
  }

  done(id: number, barsFilled: number, provider: string, note: string | null, now: number): void {
    this.doneStmt.run(barsFilled, provider, note, now, id);
  }

  list(state: BackfillJobState | undefined, limit: number): BackfillJob[] {
    const rows = (state ? this.listStmt.all(state, limit) : this.listAllStmt.all(limit)) as Row[];
    return rows.map(fromRow);
  }

  deadIds(): number[] {
    return this.deadIdsStmt.all() as number[];
  }

  /** Dead jobs back to queued with a fresh attempt count, in one transaction. */
  requeue(ids: readonly number[], now: number): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) n += this.requeueStmt.run(now, now, id).changes;
      return n;
    })();
  }

  /** Deletes dead jobs only, in one transaction. */
  purge(ids: readonly number[]): number {
    return this.db.transaction(() => {
      let n = 0;
      for (const id of ids) n += this.deleteStmt.run(id).changes;
      return n;
    })();
  }

  /** After a crash, jobs left running are queued again (their attempt never finished). */
  resetRunning(now: number): number {
    return this.resetRunningStmt.run(now).changes;
  }

  /** Forgets done jobs that ended before `beforeTs` (outside the lookback, never swept again). */
  pruneDone(beforeTs: number): number {
    return this.pruneDoneStmt.run(beforeTs).changes;
  }
}
