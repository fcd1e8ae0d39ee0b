/**
 * Backtest run history (migration 009): one row per run started from the app. The canonical result
 * JSON sits in the row once the run is done; listing never reads it, so a long history of minute
 * runs stays cheap to show.
 */
import type { BacktestRunStatus } from '../../shared/domain';
import type { Db } from './db';

export interface BacktestRunRow {
  id: number;
  createdAt: number;
  finishedAt: number | null;
  paramsJson: string;
  status: BacktestRunStatus;
  summaryJson: string | null;
  error: string | null;
}

interface Row {
  id: number;
  created_at: number;
  finished_at: number | null;
  params_json: string;
  status: BacktestRunStatus;
  summary_json: string | null;
  error: string | null;
}

const COLUMNS = 'id, created_at, finished_at, params_json, status, summary_json, error';

function toRow(r: Row): BacktestRunRow {
  return {
    id: r.id,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
    paramsJson: r.params_json,
    status: r.status,
    summaryJson: r.summary_json,
    error: r.error,
  };
}

export class BacktestRepo {
  private readonly insert;
  private readonly finishStmt;
  private readonly one;
  private readonly latest;
  private readonly resultOf;
  private readonly interrupt;

  constructor(db: Db) {
    this.insert = db.prepare(`INSERT INTO backtest_runs (created_at, params_json, status) VALUES (?, ?, 'running')`);
    // Only a running row can finish: a late worker answer never overwrites a settled run.
    this.finishStmt = db.prepare(
      `UPDATE backtest_runs SET status = ?, finished_at = ?, summary_json = ?, result_json = ?, error = ?
       WHERE id = ? AND status = 'running'`,
    );
    this.one = db.prepare(`SELECT ${COLUMNS} FROM backtest_runs WHERE id = ?`);
    this.latest = db.prepare(`SELECT ${COLUMNS} FROM backtest_runs ORDER BY id DESC LIMIT ?`);
    this.resultOf = db.prepare('SELECT result_json FROM backtest_runs WHERE id = ?').pluck();
    this.interrupt = db.prepare(
      `UPDATE backtest_runs SET status = 'failed', finished_at = ?, error = 'interrupted' WHERE status = 'running'`,
    );
  }

  /** A new 'running' row; returns its id. */
  start(createdAt: number, paramsJson: string): number {
    return Number(this.insert.run(createdAt, paramsJson).lastInsertRowid);
  }

  /** Settles a running run; false when it was not running (unknown id or already settled). */
  finish(
    id: number,
    status: Exclude<BacktestRunStatus, 'running'>,
    at: number,
    fields: { summaryJson?: string | null; resultJson?: string | null; error?: string | null } = {},
  ): boolean {
    const r = this.finishStmt.run(
      status,
      at,
      fields.summaryJson ?? null,
      fields.resultJson ?? null,
      fields.error ?? null,
      id,
    );
    return r.changes === 1;
  }

  get(id: number): BacktestRunRow | null {
    const r = this.one.get(id) as Row | undefined;
    return r ? toRow(r) : null;
  }

  /** Newest first. */
  list(limit: number): BacktestRunRow[] {
    return (this.latest.all(limit) as Row[]).map(toRow);
  }

  /** The canonical result JSON of a done run; null when there is none. */
  resultJson(id: number): string | null {
    return (this.resultOf.get(id) as string | null | undefined) ?? null;
  }

  /** Runs a crash left 'running' become failed: interrupted. Returns how many. */
  markInterrupted(at: number): number {
    return this.interrupt.run(at).changes;
  }
}
