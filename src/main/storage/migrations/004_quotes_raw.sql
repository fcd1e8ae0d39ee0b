-- Raw quotes as received, kept a few days for audits and replays; see src/main/storage/retention.ts.
CREATE TABLE quotes_raw (
  symbol   TEXT NOT NULL,
  ts       INTEGER NOT NULL,         -- quote time, epoch ms UTC
  bid      REAL NOT NULL,
  ask      REAL NOT NULL,
  bid_size REAL NOT NULL CHECK (bid_size >= 0),
  ask_size REAL NOT NULL CHECK (ask_size >= 0),
  provider TEXT NOT NULL
) STRICT;
CREATE INDEX quotes_raw_ts ON quotes_raw (ts);
CREATE INDEX quotes_raw_symbol_ts ON quotes_raw (symbol, ts);
