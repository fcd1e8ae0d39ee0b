-- Backfill jobs: one per missing stretch of a symbol's 1-minute bars within one session day.
-- Jobs that fail maxAttempts times are kept with state 'dead' (the dead-letter queue) until a
-- trader requeues or purges them. Done jobs are kept for the startup lookback window so that
-- minutes a provider had no bar for (halts, no trades) are not asked for again on every sweep.
CREATE TABLE backfill_jobs (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  symbol          TEXT NOT NULL,
  interval        TEXT NOT NULL CHECK (interval IN ('1m', '1d')),
  from_ts         INTEGER NOT NULL,          -- first missing bar open, epoch ms UTC
  to_ts           INTEGER NOT NULL,          -- end of the range, exclusive
  tier            TEXT NOT NULL CHECK (tier IN ('T0', 'T1', 'T2')),
  state           TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  next_attempt_at INTEGER NOT NULL,
  last_error      TEXT,
  provider        TEXT,                      -- who filled it, or who failed last
  bars_filled     INTEGER NOT NULL DEFAULT 0 CHECK (bars_filled >= 0),
  created_at      INTEGER NOT NULL,
  updated_at      INTEGER NOT NULL,
  CHECK (to_ts > from_ts)
) STRICT;
-- One open job per range: a gap seen twice (bar close, then restart) is queued once.
CREATE UNIQUE INDEX backfill_jobs_open ON backfill_jobs (symbol, interval, from_ts, to_ts)
  WHERE state IN ('queued', 'running', 'dead');
-- The runner's pick: best tier first, then the earliest due.
CREATE INDEX backfill_jobs_due ON backfill_jobs (state, tier, next_attempt_at);
-- Overlap checks when planning new jobs, and the per-day gap state.
CREATE INDEX backfill_jobs_symbol ON backfill_jobs (symbol, from_ts);
