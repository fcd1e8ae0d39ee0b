-- Backtest run history (docs/backtest.md, "In the app"). One row per run started from the app.
-- result_json holds the canonical result (canonicalJson) once the run is done; it may be a few MB
-- for minute runs, so lists never select it. A row left 'running' by a crash is marked 'failed'
-- with error 'interrupted' when the engine starts.
CREATE TABLE backtest_runs (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  created_at   INTEGER NOT NULL,
  finished_at  INTEGER,
  params_json  TEXT NOT NULL,
  status       TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed', 'cancelled')),
  summary_json TEXT,
  result_json  TEXT,
  error        TEXT
) STRICT;
CREATE INDEX backtest_runs_running ON backtest_runs (id) WHERE status = 'running';
