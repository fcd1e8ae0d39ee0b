/**
 * Data retention. Raw quotes are bulky and only useful for a few days (audits, replaying a recent
 * incident), so they are pruned; bars are the record and are kept forever by default.
 *
 *   rawQuoteDays  quotes_raw rows with ts older than now − rawQuoteDays × 24 h are deleted
 *                 (default 3; null keeps them all).
 *   barDays       1-minute bars older than now − barDays × 24 h are deleted (default null: keep).
 *                 Daily bars are never deleted by retention: a year of them is 252 rows.
 *
 * Days are 24-hour spans of Clock time, not trading days: retention is about disk, not sessions.
 * Quotes are deleted in chunks, each its own short transaction, so a large backlog never holds the
 * write lock long enough to stall the live bar writer. Call it at start-up and then, say, hourly.
 */
import type { Clock } from '../clock';
import type { Db } from './db';

const DAY_MS = 86_400_000;

export interface RetentionPolicy {
  rawQuoteDays: number | null;
  barDays: number | null;
}

export const DEFAULT_RETENTION: RetentionPolicy = { rawQuoteDays: 3, barDays: null };

export interface RetentionResult {
  quotesDeleted: number;
  barsDeleted: number;
  /** Rows with ts below these were deleted; null when that kind is kept. */
  quoteCutoff: number | null;
  barCutoff: number | null;
}

/** Quotes deleted per statement (and per transaction); `opts.chunk` overrides it. */
const CHUNK = 50_000;

export function applyRetention(
  db: Db,
  policy: RetentionPolicy = DEFAULT_RETENTION,
  clock: Clock,
  opts: { chunk?: number } = {},
): RetentionResult {
  const chunk = opts.chunk ?? CHUNK;
  for (const [name, days] of Object.entries(policy) as [string, number | null][]) {
    if (days !== null && !(Number.isFinite(days) && days >= 0)) {
      throw new RangeError(`retention ${name} must be null (keep) or a number of days ≥ 0, got ${days}`);
    }
  }
  const now = clock.now();
  const result: RetentionResult = { quotesDeleted: 0, barsDeleted: 0, quoteCutoff: null, barCutoff: null };

  if (policy.rawQuoteDays !== null) {
    const cutoff = now - policy.rawQuoteDays * DAY_MS;
    result.quoteCutoff = cutoff;
    const del = db.prepare('DELETE FROM quotes_raw WHERE rowid IN (SELECT rowid FROM quotes_raw WHERE ts < ? LIMIT ?)');
    for (;;) {
      const { changes } = del.run(cutoff, chunk);
      result.quotesDeleted += changes;
      if (changes < chunk) break;
    }
  }

  if (policy.barDays !== null) {
    const cutoff = now - policy.barDays * DAY_MS;
    result.barCutoff = cutoff;
    result.barsDeleted = db.prepare("DELETE FROM bars WHERE interval = '1m' AND ts < ?").run(cutoff).changes;
  }
  return result;
}
