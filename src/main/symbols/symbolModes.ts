import type { Surface, SymbolInfo, SymbolMode, TradingStateName } from '../../shared/domain';
import type { EventBus } from '../bus';
import type { Clock } from '../clock';
import { CommandError } from '../errors';
import type { AuditLog } from '../storage/auditLog';
import type { Db } from '../storage/db';
import type { SymbolModeRepo } from '../storage/symbolModeRepo';

/**
 * Decides whether a symbol may go live. The execution layer replaces the default, which refuses:
 * until a paper IBKR account is connected and the promotion gates pass, nothing is live.
 */
export interface LiveModeGuard {
  check(symbol: string): { allowed: true } | { allowed: false; reason: string };
}

export const denyLiveGuard: LiveModeGuard = {
  check: () => ({ allowed: false, reason: 'live needs a connected paper IBKR account (DU…); none is connected' }),
};

export interface SymbolModesDeps {
  db: Db;
  repo: SymbolModeRepo;
  audit: AuditLog;
  bus: EventBus;
  clock: Clock;
  tradingState: () => TradingStateName;
  /** The watched symbols from config; they start in shadow until the trader says otherwise. */
  watched: readonly string[];
}

export class SymbolModes {
  private readonly modes = new Map<string, SymbolInfo>();
  private guard: LiveModeGuard = denyLiveGuard;

  constructor(private readonly deps: SymbolModesDeps) {
    for (const s of deps.watched) this.modes.set(s, { symbol: s, mode: 'shadow', changedAt: null });
    for (const saved of deps.repo.all()) this.modes.set(saved.symbol, saved);
  }

  setLiveGuard(guard: LiveModeGuard): void {
    this.guard = guard;
  }

  list(): SymbolInfo[] {
    return [...this.modes.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
  }

  mode(symbol: string): SymbolMode {
    return this.modes.get(symbol)?.mode ?? 'off';
  }

  /** Watches a new symbol, in shadow. Watching one already watched changes nothing. */
  add(symbol: string, surface: Surface): SymbolInfo {
    const known = this.modes.get(symbol);
    if (known) return known;
    return this.set(symbol, 'shadow', surface, 'added to the watchlist');
  }

  set(symbol: string, mode: SymbolMode, surface: Surface, reason?: string): SymbolInfo {
    const before = this.modes.get(symbol);
    if (mode === 'live') {
      if (this.deps.tradingState() === 'HALTED')
        throw new CommandError('DENIED', `${symbol} cannot go live while trading is HALTED`);
      const verdict = this.guard.check(symbol);
      if (!verdict.allowed) throw new CommandError('DENIED', `${symbol} cannot go live: ${verdict.reason}`);
    }
    if (before?.mode === mode) return before;
    const next: SymbolInfo = { symbol, mode, changedAt: this.deps.clock.now() };
    const { db, repo, audit } = this.deps;
    db.transaction(() => {
      repo.save(symbol, mode, next.changedAt!);
      audit.append({
        ts: next.changedAt!,
        surface,
        action: 'symbolMode.set',
        subject: symbol,
        before: before?.mode ?? null,
        after: mode,
        reason: reason ?? `set to ${mode}`,
      });
    })();
    this.modes.set(symbol, next);
    this.deps.bus.emit('symbolMode', next);
    return next;
  }
}
