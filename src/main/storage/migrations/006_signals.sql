-- Every signal decision, passed or blocked, with its reason and decision latency.
-- Written in batches (one transaction per flush, about once a second), never one per signal.
CREATE TABLE signals (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  ts         INTEGER NOT NULL,                -- decision time, epoch ms UTC
  bar_ts     INTEGER NOT NULL,                -- open time of the minute bar the features came from
  policy     TEXT NOT NULL CHECK (policy IN ('single', 'dual')),
  symbols    TEXT NOT NULL,                   -- 'NVDA', or 'NVDA/MSFT' for a dual-ticker policy
  action     TEXT NOT NULL,
  legs       TEXT NOT NULL,                   -- JSON [{symbol, side}], the action per symbol
  probs      TEXT NOT NULL,                   -- JSON array of action probabilities
  confidence REAL NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  threshold  REAL NOT NULL CHECK (threshold >= 0 AND threshold <= 1),
  passed     INTEGER NOT NULL CHECK (passed IN (0, 1)),
  reason     TEXT,                            -- first failing check; NULL when passed
  reasons    TEXT NOT NULL DEFAULT '[]',      -- JSON array of every failing check
  detail     TEXT NOT NULL DEFAULT '',        -- the first failing check in words
  latency_us REAL NOT NULL CHECK (latency_us >= 0),
  mode       TEXT NOT NULL CHECK (mode IN ('off', 'shadow', 'live')),
  CHECK ((passed = 1) = (reason IS NULL))
) STRICT;
CREATE INDEX signals_ts ON signals (ts);
CREATE INDEX signals_symbols_ts ON signals (symbols, ts);
