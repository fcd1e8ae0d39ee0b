/**
 * When IBKR is connected, other providers' prices are checked against it: a difference beyond the
 * tolerance (0.1% by default) is a divergence the trader must hear about. Pure; takes a Clock.
 */
import type { ProviderName } from '../../shared/domain';
import type { Clock } from '../clock';

export interface Divergence {
  symbol: string;
  provider: ProviderName;
  ibkrPrice: number;
  price: number;
  diffBps: number;
  ts: number;
}

export interface CrossCheckConfig {
  toleranceBps: number;
  /** Compare only prices observed within this time of each other. */
  maxSkewMs: number;
  /** At most one divergence per symbol and provider in this period. */
  repeatAfterMs: number;
}

export const DEFAULT_CROSS_CHECK: CrossCheckConfig = { toleranceBps: 10, maxSkewMs: 2000, repeatAfterMs: 60_000 };

export class IbkrCrossCheck {
  private readonly ibkr = new Map<string, { price: number; at: number }>();
  private readonly lastRaised = new Map<string, number>();

  constructor(
    private readonly clock: Clock,
    private readonly connected: () => boolean,
    private readonly onDivergence: (d: Divergence) => void,
    private readonly cfg: CrossCheckConfig = DEFAULT_CROSS_CHECK,
  ) {}

  observe(provider: ProviderName, symbol: string, price: number): void {
    const now = this.clock.now();
    if (provider === 'ibkr') {
      this.ibkr.set(symbol, { price, at: now });
      return;
    }
    const ref = this.ibkr.get(symbol);
    if (!ref || !this.connected() || now - ref.at > this.cfg.maxSkewMs || !(ref.price > 0)) return;
    const diffBps = ((price - ref.price) / ref.price) * 10_000;
    if (Math.abs(diffBps) <= this.cfg.toleranceBps) return;
    const key = `${symbol}|${provider}`;
    const last = this.lastRaised.get(key);
    if (last !== undefined && now - last < this.cfg.repeatAfterMs) return;
    this.lastRaised.set(key, now);
    this.onDivergence({ symbol, provider, ibkrPrice: ref.price, price, diffBps, ts: now });
  }
}
