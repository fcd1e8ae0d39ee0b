import type { TradingState } from '../../shared/domain';
import type { Db } from './db';

interface Row {
  state: TradingState['state'];
  reason: string;
  changed_at: number;
  changed_by: TradingState['changedBy'];
}

export class TradingStateRepo {
  private readonly select;
  private readonly upsert;

  constructor(db: Db) {
    this.select = db.prepare('SELECT state, reason, changed_at, changed_by FROM trading_state WHERE id = 1');
    this.upsert = db.prepare(
      `INSERT INTO trading_state (id, state, reason, changed_at, changed_by) VALUES (1, @state, @reason, @changedAt, @changedBy)
       ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
         changed_at = excluded.changed_at, changed_by = excluded.changed_by`,
    );
  }

  load(): TradingState | null {
    const row = this.select.get() as Row | undefined;
    return row ? { state: row.state, reason: row.reason, changedAt: row.changed_at, changedBy: row.changed_by } : null;
  }

  save(s: TradingState): void {
    this.upsert.run(s);
  }
}
