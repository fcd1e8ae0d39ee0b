import type { SymbolInfo, SymbolMode } from '../../shared/domain';
import type { Db } from './db';

export class SymbolModeRepo {
  private readonly selectAll;
  private readonly upsert;

  constructor(db: Db) {
    this.selectAll = db.prepare('SELECT symbol, mode, changed_at FROM symbol_modes ORDER BY symbol');
    this.upsert = db.prepare(
      `INSERT INTO symbol_modes (symbol, mode, changed_at) VALUES (?, ?, ?)
       ON CONFLICT (symbol) DO UPDATE SET mode = excluded.mode, changed_at = excluded.changed_at`,
    );
  }

  all(): SymbolInfo[] {
    return (this.selectAll.all() as { symbol: string; mode: SymbolMode; changed_at: number }[]).map((r) => ({
      symbol: r.symbol,
      mode: r.mode,
      changedAt: r.changed_at,
    }));
  }

  save(symbol: string, mode: SymbolMode, changedAt: number): void {
    this.upsert.run(symbol, mode, changedAt);
  }
}
