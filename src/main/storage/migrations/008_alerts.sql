-- Alert history: every alert raised, so the alert centre survives restarts. `seq` orders and pages
-- the history; `id` is the alert's public id. Only acked_at ever changes. `kind` has no CHECK so a
-- new kind needs no migration; readers map an unknown one to 'other'.
CREATE TABLE alerts (
  seq      INTEGER PRIMARY KEY AUTOINCREMENT,
  id       TEXT NOT NULL UNIQUE,
  ts       INTEGER NOT NULL,
  level    TEXT NOT NULL CHECK (level IN ('info', 'warning', 'critical')),
  kind     TEXT NOT NULL,
  title    TEXT NOT NULL,
  message  TEXT NOT NULL,
  symbol   TEXT,
  acked_at INTEGER
) STRICT;
CREATE INDEX alerts_unread ON alerts (seq) WHERE acked_at IS NULL;
