import type { ProviderSwitch } from '../marketdata/router';
import type { Db } from './db';

export class ProviderSwitchRepo {
  private readonly insert;
  private readonly recent;

  constructor(db: Db) {
    this.insert = db.prepare(
      'INSERT INTO provider_switches (ts, symbol, from_provider, to_provider, reason) VALUES (?, ?, ?, ?, ?)',
    );
    this.recent = db.prepare(
      'SELECT ts, symbol, from_provider AS "from", to_provider AS "to", reason FROM provider_switches ORDER BY id DESC LIMIT ?',
    );
  }

  append(s: ProviderSwitch): void {
    this.insert.run(s.ts, s.symbol, s.from, s.to, s.reason);
  }

  latest(limit = 50): ProviderSwitch[] {
    return this.recent.all(limit) as ProviderSwitch[];
  }
}
