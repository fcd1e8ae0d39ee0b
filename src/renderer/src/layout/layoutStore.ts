/**
 * The layout as app state: loaded from localStorage once, written back on every change (in
 * Electron localStorage lives in the userData folder, so it survives restarts). The theme is
 * applied to <html data-theme> here so CSS variables follow it.
 */
import { create } from 'zustand';
import {
  clampWidth,
  DEFAULT_LAYOUT,
  LAYOUT_STORAGE_KEY,
  parseLayout,
  serializeLayout,
  type BottomTab,
  type ChartIntervalName,
  type Column,
  type Layout,
  type Theme,
} from './layoutState';

export interface LayoutStore extends Layout {
  setTheme(theme: Theme): void;
  toggleTheme(): void;
  setBottomTab(tab: BottomTab): void;
  setChartSymbol(symbol: string | null): void;
  setChartInterval(interval: ChartIntervalName): void;
  setWidth(column: Column, px: number): void;
  reset(): void;
}

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled: the layout still works, it just is not kept
  }
}

function load(): Layout {
  try {
    return parseLayout(storage()?.getItem(LAYOUT_STORAGE_KEY));
  } catch {
    return { ...DEFAULT_LAYOUT };
  }
}

function applyTheme(theme: Theme): void {
  if (typeof document !== 'undefined') document.documentElement.dataset.theme = theme;
}

export const useLayout = create<LayoutStore>((set, get) => ({
  ...load(),
  setTheme: (theme) => set({ theme }),
  toggleTheme: () => set({ theme: get().theme === 'dark' ? 'light' : 'dark' }),
  setBottomTab: (bottomTab) => set({ bottomTab }),
  setChartSymbol: (chartSymbol) => set({ chartSymbol }),
  setChartInterval: (chartInterval) => set({ chartInterval }),
  setWidth: (column, px) =>
    set(column === 'left' ? { leftWidth: clampWidth('left', px) } : { rightWidth: clampWidth('right', px) }),
  reset: () => set({ ...DEFAULT_LAYOUT }),
}));

function snapshot(s: LayoutStore): Layout {
  const { theme, bottomTab, chartSymbol, chartInterval, leftWidth, rightWidth } = s;
  return { theme, bottomTab, chartSymbol, chartInterval, leftWidth, rightWidth };
}

applyTheme(useLayout.getState().theme);
useLayout.subscribe((s, prev) => {
  if (s.theme !== prev.theme) applyTheme(s.theme);
  try {
    storage()?.setItem(LAYOUT_STORAGE_KEY, serializeLayout(snapshot(s)));
  } catch {
    // quota or disabled storage: keep the in-memory layout
  }
});
