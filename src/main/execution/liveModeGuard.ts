/**
 * Who may go live: a symbol needs a connected paper IBKR account (the broker allows trading) and
 * passing promotion gates (src/main/marketdata/gates.ts). A trader's confirmed override lets one
 * switch through; the engine writes it to the audit log with what the guard would have said.
 */
import type { GateReport } from '../../shared/domain';
import type { LiveModeGuard } from '../symbols/symbolModes';
import type { BrokerStatus } from './types';

export interface ExecutionLiveGuardDeps {
  brokerStatus: () => BrokerStatus;
  gates: (symbol: string) => GateReport;
}

export class ExecutionLiveGuard implements LiveModeGuard {
  /** Symbols the trader confirmed an override for; each is used once. */
  private readonly overrides = new Set<string>();

  constructor(private readonly deps: ExecutionLiveGuardDeps) {}

  /** The verdict without any override: what the trader is told and what an override is recorded against. */
  evaluate(symbol: string): { allowed: true } | { allowed: false; reason: string } {
    const broker = this.deps.brokerStatus();
    if (!broker.tradingAllowed) return { allowed: false, reason: `broker: ${broker.reason ?? 'trading not allowed'}` };
    const report = this.deps.gates(symbol);
    if (report.verdict !== 'PASS') {
      const failed = report.criteria.filter((c) => !c.pass).map((c) => `${c.name} (${c.detail})`);
      return { allowed: false, reason: `promotion gates fail: ${failed.join('; ') || 'no data'}` };
    }
    return { allowed: true };
  }

  check(symbol: string): { allowed: true } | { allowed: false; reason: string } {
    if (this.overrides.delete(symbol)) return { allowed: true };
    return this.evaluate(symbol);
  }

  /** Lets the next check for this symbol pass: the trader confirmed an override. */
  allowOnce(symbol: string): void {
    this.overrides.add(symbol);
  }

  /** Drops an unused override (the switch failed for another reason). */
  forget(symbol: string): void {
    this.overrides.delete(symbol);
  }
}
