import { TradingStateBadge } from './components/TradingStateBadge';
import { StatusBar } from './components/StatusBar';
import { Tabs } from './components/Tabs';
import { useExecutionFeed } from './execution/useExecutionFeed';
import { BlotterPanel } from './panels/BlotterPanel';
import { OrderTicket } from './panels/OrderTicket';
import { useApi } from './apiContext';
import { AlertsPanel } from './panels/AlertsPanel';
import { BacktestPanel } from './panels/BacktestPanel';
import { ChartPanel } from './panels/ChartPanel';
import { DataHealthPanel } from './panels/DataHealthPanel';
import { KillSwitch } from './panels/KillSwitch';
import { SettingsDialog } from './panels/SettingsDialog';
import { ProvidersPanel } from './panels/ProvidersPanel';
import { SignalsPanel } from './panels/SignalsPanel';
import { SymbolsPanel } from './panels/SymbolsPanel';
import { useApp } from './store/appStore';
import { Splitter } from './layout/Splitter';
import { useLayout } from './layout/layoutStore';
import type { BottomTab } from './layout/layoutState';
import { CommandPalette } from './palette/CommandPalette';
import { useOverlay } from './palette/overlayStore';
import { ShortcutsDialog } from './palette/ShortcutsDialog';
import { useWorkstationActions } from './palette/useWorkstationActions';
import { ThemeToggle } from './theme/ThemeToggle';

export function App() {
  const { transport } = useApi();
  const tradingState = useApp((s) => s.tradingState);
  const error = useApp((s) => s.error);
  const setError = useApp((s) => s.setError);
  useExecutionFeed();
  useWorkstationActions();
  const leftWidth = useLayout((s) => s.leftWidth);
  const rightWidth = useLayout((s) => s.rightWidth);
  const bottomHeight = useLayout((s) => s.bottomHeight);
  const bottomTab = useLayout((s) => s.bottomTab);
  const setBottomTab = useLayout((s) => s.setBottomTab);
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Kestrel</span>
        <TradingStateBadge state={tradingState?.state} />
        {tradingState && tradingState.state !== 'ACTIVE' && <span className="state-reason">{tradingState.reason}</span>}
        <span className="spacer" />
        <button
          type="button"
          className="palette-open"
          aria-keyshortcuts="Control+K Meta+K"
          onClick={() => useOverlay.getState().show('palette')}
        >
          Commands <kbd>Ctrl+K</kbd>
        </button>
        <ThemeToggle />
        <SettingsDialog />
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
      <main
        className="workspace"
        style={{
          gridTemplateColumns: `${leftWidth}px 8px minmax(0, 1fr) 8px ${rightWidth}px`,
          gridTemplateRows: `minmax(0, 1fr) 8px ${bottomHeight}px`,
        }}
      >
        <aside className="left">
          <SymbolsPanel />
          <SignalsPanel />
        </aside>
        <Splitter column="left" label="Resize the symbols column" />
        <ChartPanel />
        <Splitter column="right" label="Resize the alerts column" />
        <aside className="right">
          <AlertsPanel />
          <DataHealthPanel />
        </aside>
        <Splitter column="bottom" label="Resize the bottom tabs" />
        <section className="bottom">
          <Tabs
            label="Bottom panels"
            selected={bottomTab}
            onSelect={(id) => setBottomTab(id as BottomTab)}
            tabs={[
              {
                id: 'blotter',
                label: 'Blotter',
                content: (
                  <div className="trade-tab">
                    <OrderTicket />
                    <BlotterPanel />
                  </div>
                ),
              },
              { id: 'providers', label: 'Providers', content: <ProvidersPanel /> },
              { id: 'backtests', label: 'Backtests', content: <BacktestPanel /> },
            ]}
          />
        </section>
      </main>
      <StatusBar transport={transport} />
      <CommandPalette />
      <ShortcutsDialog />
    </div>
  );
}
