import { TradingStateBadge } from './components/TradingStateBadge';
import { StatusBar } from './components/StatusBar';
import { useApi } from './apiContext';
import { AlertsPanel } from './panels/AlertsPanel';
import { ChartPanel } from './panels/ChartPanel';
import { DataHealthPanel } from './panels/DataHealthPanel';
import { KillSwitch } from './panels/KillSwitch';
import { ProvidersPanel } from './panels/ProvidersPanel';
import { SignalsPanel } from './panels/SignalsPanel';
import { SymbolsPanel } from './panels/SymbolsPanel';
import { useApp } from './store/appStore';

export function App() {
  const { transport } = useApi();
  const tradingState = useApp((s) => s.tradingState);
  const error = useApp((s) => s.error);
  const setError = useApp((s) => s.setError);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Kestrel</span>
        <TradingStateBadge state={tradingState?.state} />
        {tradingState && tradingState.state !== 'ACTIVE' && <span className="state-reason">{tradingState.reason}</span>}
        <span className="spacer" />
        <KillSwitch />
      </header>
      {error && (
        <div className="error-banner" role="alert">
          <span>{error}</span>
          <button type="button" onClick={() => setError(null)} aria-label="Dismiss error">
            ✕
          </button>
        </div>
      )}
      <main className="workspace">
        <aside className="left">
          <SymbolsPanel />
          <SignalsPanel />
        </aside>
        <ChartPanel />
        <aside className="right">
          <AlertsPanel />
          <DataHealthPanel />
        </aside>
        <section className="bottom">
          <ProvidersPanel />
        </section>
      </main>
      <StatusBar transport={transport} />
    </div>
  );
}
