/**
 * Chooses, per symbol, which provider feeds the engine, and fails over between them. Detection is
 * fast (a silent or disconnected stream, or an open breaker, within `staleAfterMs`); switching
 * back is slow (the preferred provider must stay healthy for `switchBackAfterMs`). Consumers see
 * only the active provider's events, validated, de-duplicated and in time order per symbol.
 */
import type { ProviderName } from '../../shared/domain';
import type { Clock } from '../clock';
import type { ConnectionState } from './connection';
import type { MarketEvent } from './provider';

export type RoutingStrategy = 'priority' | 'quality' | 'hash';

export interface RouterConfig {
  strategy: RoutingStrategy;
  /** Providers in order of preference; also the candidate set. */
  priority: ProviderName[];
  /** Per symbol, the providers allowed to serve it; absent = all. */
  allowlist: Record<string, ProviderName[]>;
  /** A provider silent this long (no event, no heartbeat) is dead. */
  staleAfterMs: number;
  /** How long a better provider must stay healthy before we switch back to it. */
  switchBackAfterMs: number;
  /** Quality strategy: how much better a score must be to justify a switch. */
  qualityMargin: number;
  /**
   * Right after the first selection, feeds are still connecting in whatever order their
   * handshakes finish; within this window the preferred provider takes over without hysteresis.
   */
  startupGraceMs: number;
}

export const DEFAULT_ROUTER_CONFIG: RouterConfig = {
  strategy: 'priority',
  priority: [],
  allowlist: {},
  staleAfterMs: 2000,
  switchBackAfterMs: 120_000,
  qualityMargin: 0.1,
  startupGraceMs: 5000,
};

/** What the router needs to know about each provider; the service supplies it. */
export interface ProviderView {
  name: ProviderName;
  state: () => ConnectionState;
  lastActivityAt: () => number | null;
  breaker: () => 'closed' | 'open' | 'half-open';
  score: () => number;
  /** Whether the provider can deliver a live feed at all (stream or poll). */
  live: boolean;
}

export interface ProviderSwitch {
  symbol: string;
  from: ProviderName | null;
  to: ProviderName | null;
  reason: string;
  ts: number;
}

interface SymbolRoute {
  active: ProviderName | null;
  /** Set by a manual failover: the provider to return to instead of the strategy's first choice. */
  pinned: ProviderName | null;
  /** When the preferred provider became continuously healthy, for hysteresis. */
  preferredHealthySince: number | null;
  /** When the first provider was selected; starts the startup grace. */
  firstSelectedAt: number | null;
  /** Per event type: bars carry their open time, so they are ordered among bars only. */
  lastDeliveredTs: Record<MarketEvent['type'], number>;
}

export interface DeliveryCounters {
  delivered: number;
  droppedOutOfOrder: number;
  droppedNotActive: number;
}

function hashSymbol(symbol: string): number {
  let h = 2166136261;
  for (let i = 0; i < symbol.length; i++) h = Math.imul(h ^ symbol.charCodeAt(i), 16777619);
  return h >>> 0;
}

export class MarketDataRouter {
  private readonly routes = new Map<string, SymbolRoute>();
  private readonly views = new Map<ProviderName, ProviderView>();
  readonly counters: DeliveryCounters = { delivered: 0, droppedOutOfOrder: 0, droppedNotActive: 0 };

  constructor(
    private readonly clock: Clock,
    private readonly cfg: RouterConfig,
    providers: ProviderView[],
    private readonly onSwitch: (s: ProviderSwitch) => void,
  ) {
    for (const p of providers) this.views.set(p.name, p);
  }

  setSymbols(symbols: readonly string[]): void {
    for (const s of symbols) {
      if (!this.routes.has(s))
        this.routes.set(s, {
          active: null,
          pinned: null,
          preferredHealthySince: null,
          firstSelectedAt: null,
          lastDeliveredTs: { trade: -Infinity, quote: -Infinity, bar: -Infinity },
        });
    }
    for (const s of [...this.routes.keys()]) if (!symbols.includes(s)) this.routes.delete(s);
  }

  active(symbol: string): ProviderName | null {
    return this.routes.get(symbol)?.active ?? null;
  }

  activeBySymbol(): Record<string, ProviderName | null> {
    return Object.fromEntries([...this.routes].map(([s, r]) => [s, r.active]));
  }

  candidates(symbol: string): ProviderName[] {
    const allowed = this.cfg.allowlist[symbol];
    return this.cfg.priority.filter((p) => this.views.get(p)?.live && (!allowed || allowed.includes(p)));
  }

  /** Healthy: connected, breaker not open, and heard from within the staleness threshold. */
  healthy(provider: ProviderName): boolean {
    const v = this.views.get(provider);
    if (!v) return false;
    const last = v.lastActivityAt();
    return (
      v.state() === 'connected' &&
      v.breaker() !== 'open' &&
      last !== null &&
      this.clock.now() - last <= this.cfg.staleAfterMs
    );
  }

  whyUnhealthy(provider: ProviderName): string {
    const v = this.views.get(provider);
    if (!v) return 'unknown provider';
    if (v.breaker() === 'open') return 'circuit breaker open';
    if (v.state() !== 'connected') return `provider ${v.state()}`;
    const last = v.lastActivityAt();
    if (last === null) return 'no data yet';
    return `silent for ${this.clock.now() - last} ms (threshold ${this.cfg.staleAfterMs} ms)`;
  }

  /**
   * Gatekeeper of the hot path: true when this event may reach consumers. Only the active
   * provider's events pass, and never one older than what the symbol already delivered.
   */
  admit(provider: ProviderName, event: MarketEvent): boolean {
    const symbol = eventSymbol(event);
    const route = this.routes.get(symbol);
    if (!route || route.active !== provider) {
      this.counters.droppedNotActive++;
      return false;
    }
    const ts = eventTs(event);
    const last = route.lastDeliveredTs[event.type];
    // Bars: a repeat of the same minute is a duplicate too. Trades and quotes may share a millisecond.
    if (ts < last || (event.type === 'bar' && ts === last)) {
      this.counters.droppedOutOfOrder++;
      return false;
    }
    route.lastDeliveredTs[event.type] = ts;
    this.counters.delivered++;
    return true;
  }

  /** The strategy's preferred provider for a symbol among the healthy ones. */
  preferred(symbol: string): ProviderName | null {
    const route = this.routes.get(symbol);
    const healthy = this.candidates(symbol).filter((p) => this.healthy(p));
    if (healthy.length === 0) return null;
    if (route?.pinned && healthy.includes(route.pinned)) return route.pinned;
    switch (this.cfg.strategy) {
      case 'priority':
        return healthy[0]!;
      case 'quality':
        return healthy.reduce((best, p) => (this.views.get(p)!.score() > this.views.get(best)!.score() ? p : best));
      case 'hash': {
        // Stable assignment over the full candidate list, so a symbol keeps its provider when others fail.
        const all = this.candidates(symbol);
        const home = all[hashSymbol(symbol) % all.length]!;
        return healthy.includes(home) ? home : healthy[0]!;
      }
    }
  }

  /** Re-evaluates every symbol; call on a short timer and on provider state changes. */
  evaluate(): void {
    const now = this.clock.now();
    for (const [symbol, route] of this.routes) {
      const preferred = this.preferred(symbol);
      if (route.active === null || !this.healthy(route.active)) {
        if (preferred !== route.active) {
          const reason =
            route.active === null
              ? 'initial selection'
              : `failover: ${route.active} ${this.whyUnhealthy(route.active)}`;
          // After a real failover, coming back always takes the full hysteresis.
          if (route.active !== null) route.firstSelectedAt = -Infinity;
          this.switchTo(symbol, route, preferred, reason);
        }
        route.preferredHealthySince = null;
        continue;
      }
      if (preferred === null || preferred === route.active) {
        route.preferredHealthySince = null;
        continue;
      }
      if (this.cfg.strategy === 'quality') {
        const gain = this.views.get(preferred)!.score() - this.views.get(route.active)!.score();
        if (gain < this.cfg.qualityMargin) {
          route.preferredHealthySince = null;
          continue;
        }
      }
      if (
        route.firstSelectedAt !== null &&
        now - route.firstSelectedAt < this.cfg.startupGraceMs &&
        route.pinned === null
      ) {
        this.switchTo(symbol, route, preferred, `startup: ${preferred} is preferred and now connected`);
        continue;
      }
      route.preferredHealthySince ??= now;
      if (now - route.preferredHealthySince >= this.cfg.switchBackAfterMs) {
        this.switchTo(
          symbol,
          route,
          preferred,
          `switch back: ${preferred} healthy for ${Math.round((now - route.preferredHealthySince) / 1000)} s`,
        );
        route.preferredHealthySince = null;
      }
    }
  }

  /** Manual failover: the trader picks the provider; it stays preferred until it fails. */
  failover(symbol: string, to: ProviderName): { ok: true; from: ProviderName | null } | { ok: false; reason: string } {
    const route = this.routes.get(symbol);
    if (!route) return { ok: false, reason: `${symbol} is not watched` };
    if (!this.candidates(symbol).includes(to)) return { ok: false, reason: `${to} may not serve ${symbol}` };
    if (!this.healthy(to)) return { ok: false, reason: `${to} is not healthy: ${this.whyUnhealthy(to)}` };
    const from = route.active;
    route.pinned = to;
    if (from !== to) this.switchTo(symbol, route, to, 'manual failover by the trader');
    return { ok: true, from };
  }

  private switchTo(symbol: string, route: SymbolRoute, to: ProviderName | null, reason: string): void {
    const from = route.active;
    route.active = to;
    if (to !== null) route.firstSelectedAt ??= this.clock.now();
    this.onSwitch({ symbol, from, to, reason, ts: this.clock.now() });
  }
}

export function eventSymbol(e: MarketEvent): string {
  return e.type === 'trade' ? e.trade.symbol : e.type === 'quote' ? e.quote.symbol : e.bar.symbol;
}

export function eventTs(e: MarketEvent): number {
  return e.type === 'trade' ? e.trade.ts : e.type === 'quote' ? e.quote.ts : e.bar.ts;
}
