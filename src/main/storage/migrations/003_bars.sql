-- Bars: one row per (symbol, interval, ts); status says how the row came to be.
CREATE TABLE bars (
  symbol   TEXT NOT NULL,
  interval TEXT NOT NULL CHECK (interval IN ('1m', '1d')),
  ts       INTEGER NOT NULL,         -- bar open, epoch ms UTC
  o        REAL NOT NULL,
  h        REAL NOT NULL,
  l        REAL NOT NULL,
  c        REAL NOT NULL,
  v        REAL NOT NULL CHECK (v >= 0),
  vw       REAL,
  n        INTEGER,
  provider TEXT NOT NULL,
  as_of    INTEGER NOT NULL,
  status   TEXT NOT NULL CHECK (status IN ('live', 'backfilled', 'amended')),
  CHECK (h >= l),
  PRIMARY KEY (symbol, interval, ts)
) STRICT, WITHOUT ROWID;

-- The newest bar taken from each provider, per symbol and interval.
CREATE TABLE ingestion_cursors (
  symbol   TEXT NOT NULL,
  interval TEXT NOT NULL,
  provider TEXT NOT NULL,
  ts       INTEGER NOT NULL,
  PRIMARY KEY (symbol, interval, provider)
) STRICT, WITHOUT ROWID;
