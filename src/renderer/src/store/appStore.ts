import { create } from 'zustand';
import type { Snapshot } from '../../../shared/contract';
import type {
  Alert,
  MarketTick,
  ProviderName,
  ProviderRow,
  ProviderSwitched,
  SymbolInfo,
  TradingState,
} from '../../../shared/domain';
import type { LinkState } from '../wsClient';

export interface AppState {
  link: LinkState;
  snapshot: Pick<Snapshot, 'version' | 'host'> | null;
  tradingState: TradingState | null;
  symbols: SymbolInfo[];
  alerts: Alert[];
  providers: ProviderRow[];
  ticks: Record<string, MarketTick>;
  activeProviders: Record<string, ProviderName | null>;
  switches: ProviderSwitched[];
  lastHeartbeat: number | null;
  /** The last refusal or failure to show the trader. */
  error: string | null;
  setLink(link: LinkState): void;
  applySnapshot(s: Snapshot): void;
  applyTradingState(s: TradingState): void;
  applySymbol(s: SymbolInfo): void;
  addAlert(a: Alert): void;
  applyTicks(ticks: MarketTick[]): void;
  applyProviders(rows: ProviderRow[]): void;
  applySwitch(s: ProviderSwitched): void;
  heartbeat(ts: number): void;
  setError(message: string | null): void;
}

const MAX_ALERTS = 200;

export const useApp = create<AppState>((set) => ({
  link: 'connecting',
  snapshot: null,
  tradingState: null,
  symbols: [],
  alerts: [],
  providers: [],
  ticks: {},
  activeProviders: {},
  switches: [],
  lastHeartbeat: null,
  error: null,
  setLink: (link) => set({ link }),
  applySnapshot: (s) =>
    set({
      snapshot: { version: s.version, host: s.host },
      tradingState: s.tradingState,
      symbols: s.symbols,
      alerts: s.alerts.slice(-MAX_ALERTS),
      providers: s.providers,
      ticks: Object.fromEntries(s.ticks.map((t) => [t.symbol, t])),
      activeProviders: s.activeProviders,
    }),
  applyTradingState: (tradingState) => set({ tradingState }),
  applySymbol: (info) =>
    set((st) => {
      const rest = st.symbols.filter((x) => x.symbol !== info.symbol);
      return { symbols: [...rest, info].sort((a, b) => a.symbol.localeCompare(b.symbol)) };
    }),
  addAlert: (a) => set((st) => ({ alerts: [...st.alerts, a].slice(-MAX_ALERTS) })),
  applyTicks: (ticks) =>
    set((st) => ({ ticks: { ...st.ticks, ...Object.fromEntries(ticks.map((t) => [t.symbol, t])) } })),
  applyProviders: (providers) => set({ providers }),
  applySwitch: (sw) =>
    set((st) => ({
      activeProviders: { ...st.activeProviders, [sw.symbol]: sw.to },
      switches: [sw, ...st.switches].slice(0, 50),
    })),
  heartbeat: (ts) => set({ lastHeartbeat: ts }),
  setError: (error) => set({ error }),
}));
