/**
 * The workstation's own palette actions (chart, tabs, focus, theme, layout, help) and the global
 * keys that open the palette and the shortcuts list. Panel-owned actions (kill switch, re-arm,
 * flatten, symbol modes, settings, ticket) are registered by those panels.
 */
import { useEffect, useMemo } from 'react';
import { BOTTOM_TABS, CHART_INTERVALS, type BottomTab } from '../layout/layoutState';
import { useLayout } from '../layout/layoutStore';
import { useApp } from '../store/appStore';
import { focusPanel, focusSoon } from './focus';
import { useOverlay } from './overlayStore';
import type { PaletteAction } from './registry';
import { chordOf, matchesChord } from './shortcuts';
import { useRegisterActions } from './useRegisterActions';

const TAB_LABEL: Record<BottomTab, string> = { blotter: 'Blotter', providers: 'Providers', backtests: 'Backtests' };
const PANELS = [
  ['symbols-title', 'Symbols'],
  ['signals-title', 'Signals'],
  ['chart-title', 'Chart'],
  ['alerts-title', 'Alerts'],
  ['dh-title', 'Data health'],
] as const;
/** The bundled daily history the chart can always open. */
const DATASET_SYMBOL = 'SPX';

function isEditable(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

export function useWorkstationActions(): void {
  const symbols = useApp((s) => s.symbols);
  const theme = useLayout((s) => s.theme);

  const chart = useMemo<PaletteAction[]>(() => {
    const names = [
      ...symbols.map((s) => s.symbol),
      ...(symbols.some((s) => s.symbol === DATASET_SYMBOL) ? [] : [DATASET_SYMBOL]),
    ];
    const { setChartSymbol, setChartInterval } = useLayout.getState();
    return [
      ...names.map((sym) => ({
        id: `chart.symbol.${sym}`,
        group: 'Chart',
        title: `Show ${sym}`,
        keywords: 'symbol chart switch',
        run: () => {
          setChartSymbol(sym);
          if (sym === DATASET_SYMBOL) setChartInterval('1d'); // daily history only
        },
      })),
      ...CHART_INTERVALS.map((iv, i) => ({
        id: `chart.interval.${iv}`,
        group: 'Chart',
        title: `Interval ${iv} (key ${i + 1})`,
        keywords: 'timeframe bars',
        run: () => setChartInterval(iv),
      })),
    ];
  }, [symbols]);

  const workspace = useMemo<PaletteAction[]>(() => {
    const layout = useLayout.getState();
    return [
      ...BOTTOM_TABS.map((t) => ({
        id: `tab.${t}`,
        group: 'Tab',
        title: `Show ${TAB_LABEL[t]}`,
        keywords: 'bottom panel',
        run: () => {
          layout.setBottomTab(t);
          focusSoon(`[role="tab"][data-tab="${t}"]`);
        },
      })),
      ...PANELS.map(([id, name]) => ({
        id: `focus.${id}`,
        group: 'Focus',
        title: `${name} panel`,
        keywords: 'go to jump',
        // The chart's canvas takes the 1–5 interval keys; other panels take focus as a region.
        run: () => (id === 'chart-title' ? focusSoon('.chart-canvas') : void focusPanel(id)),
      })),
      {
        id: 'ticket.open',
        group: 'Order',
        title: 'Open the order ticket',
        keywords: 'buy sell trade new order',
        run: () => {
          layout.setBottomTab('blotter');
          focusSoon('select[aria-label="Ticket symbol"]');
        },
      },
      {
        id: 'theme.toggle',
        group: 'View',
        title: theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme',
        keywords: 'theme colour color dark light',
        run: () => useLayout.getState().toggleTheme(),
      },
      {
        id: 'layout.reset',
        group: 'View',
        title: 'Reset layout',
        keywords: 'columns widths default restore',
        run: () => useLayout.getState().reset(),
      },
      {
        id: 'help.shortcuts',
        group: 'Help',
        title: 'Show keyboard shortcuts',
        keywords: 'keys help',
        run: () => useOverlay.getState().show('shortcuts'),
      },
    ];
  }, [theme]);

  useRegisterActions('chart', chart);
  useRegisterActions('workspace', workspace);

  useEffect(() => {
    const palette = chordOf('palette');
    const help = chordOf('shortcuts');
    const onKey = (e: KeyboardEvent) => {
      if (matchesChord(e, palette)) {
        e.preventDefault();
        const o = useOverlay.getState();
        if (o.open === 'palette') o.close();
        else if (!document.querySelector('dialog[open]')) o.show('palette');
      } else if (matchesChord(e, help) && !isEditable(e.target) && !document.querySelector('dialog[open]')) {
        e.preventDefault();
        useOverlay.getState().show('shortcuts');
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
