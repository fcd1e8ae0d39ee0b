-- Market data: every change of the active provider for a symbol, automatic or manual.
CREATE TABLE provider_switches (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  ts            INTEGER NOT NULL,
  symbol        TEXT NOT NULL,
  from_provider TEXT,
  to_provider   TEXT,
  reason        TEXT NOT NULL
) STRICT;
CREATE INDEX provider_switches_symbol_ts ON provider_switches (symbol, ts);
