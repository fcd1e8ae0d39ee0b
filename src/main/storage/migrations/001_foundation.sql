-- Foundation: settings, per-symbol modes, the latched trading state and the append-only audit log.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,            -- JSON
  updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE symbol_modes (
  symbol     TEXT PRIMARY KEY,
  mode       TEXT NOT NULL CHECK (mode IN ('off', 'shadow', 'live')),
  changed_at INTEGER NOT NULL
) STRICT;

-- One row: the current state. History lives in audit_log.
CREATE TABLE trading_state (
  id         INTEGER PRIMARY KEY CHECK (id = 1),
  state      TEXT NOT NULL CHECK (state IN ('ACTIVE', 'REDUCING', 'HALTED')),
  reason     TEXT NOT NULL,
  changed_at INTEGER NOT NULL,
  changed_by TEXT NOT NULL
) STRICT;

CREATE TABLE audit_log (
  id      INTEGER PRIMARY KEY AUTOINCREMENT,
  ts      INTEGER NOT NULL,
  surface TEXT NOT NULL,               -- ui-electron | ui-ws | cli | engine | startup
  action  TEXT NOT NULL,               -- e.g. tradingState.engage, symbolMode.set
  subject TEXT,                        -- what it acted on (symbol, setting key)
  before  TEXT,                        -- JSON
  after   TEXT,                        -- JSON
  reason  TEXT NOT NULL
) STRICT;
CREATE INDEX audit_log_ts ON audit_log (ts);

CREATE TRIGGER audit_log_append_only_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_append_only_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
