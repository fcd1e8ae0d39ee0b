-- Orders: the append-only event log is the source of truth; order and position state are rebuilt
-- from it. fills is the execution index (UNIQUE exec_id is the last guard against a repeated
-- execution); its only mutable column is a commission that arrives after the fill.
CREATE TABLE order_events (
  seq             INTEGER PRIMARY KEY AUTOINCREMENT,
  ts              INTEGER NOT NULL,
  client_order_id TEXT NOT NULL,
  mode            TEXT NOT NULL CHECK (mode IN ('shadow', 'live')),
  kind            TEXT NOT NULL CHECK (kind IN ('created', 'denied', 'submitted', 'accepted', 'rejected',
                    'cancelPending', 'cancelRejected', 'canceled', 'expired', 'fill', 'commission')),
  status          TEXT NOT NULL,       -- the order's status after the event, for queries; rebuild derives it
  refused         TEXT,                -- set when the state machine refused the event: kept, never applied
  data            TEXT NOT NULL        -- JSON: the event body
) STRICT;
CREATE INDEX order_events_order ON order_events (client_order_id, seq);
CREATE INDEX order_events_ts ON order_events (ts);

CREATE TRIGGER order_events_append_only_update BEFORE UPDATE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;
CREATE TRIGGER order_events_append_only_delete BEFORE DELETE ON order_events
BEGIN SELECT RAISE(ABORT, 'order_events is append-only'); END;

CREATE TABLE fills (
  exec_id         TEXT PRIMARY KEY,
  client_order_id TEXT NOT NULL,
  mode            TEXT NOT NULL CHECK (mode IN ('shadow', 'live')),
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  quantity        REAL NOT NULL CHECK (quantity > 0),
  price           REAL NOT NULL CHECK (price > 0),
  commission      REAL,
  ts              INTEGER NOT NULL
) STRICT;
CREATE INDEX fills_order ON fills (client_order_id);
CREATE INDEX fills_ts ON fills (ts);

-- A commission may be set once, when it was not known at fill time; nothing else ever changes.
CREATE TRIGGER fills_immutable BEFORE UPDATE ON fills
WHEN OLD.commission IS NOT NULL
  OR NEW.exec_id IS NOT OLD.exec_id OR NEW.client_order_id IS NOT OLD.client_order_id
  OR NEW.mode IS NOT OLD.mode OR NEW.symbol IS NOT OLD.symbol OR NEW.side IS NOT OLD.side
  OR NEW.quantity IS NOT OLD.quantity OR NEW.price IS NOT OLD.price OR NEW.ts IS NOT OLD.ts
BEGIN SELECT RAISE(ABORT, 'fills are immutable (only a missing commission may be set)'); END;
CREATE TRIGGER fills_append_only_delete BEFORE DELETE ON fills
BEGIN SELECT RAISE(ABORT, 'fills are append-only'); END;

-- Client order ids are K-<yyyymmdd>-<seq>, the sequence per New York day, persisted so a restart
-- never reuses one (IB keys orderRef on it).
CREATE TABLE order_id_seq (
  day TEXT PRIMARY KEY,
  seq INTEGER NOT NULL CHECK (seq > 0)
) STRICT;
