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

/** What the store uses of the browser, typed here so unit tests (no DOM library) can supply it. */
interface Host {
  localStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  document?: { documentElement: { dataset: Record<string, string | undefined> } };
}
const host = globalThis as Host;

function storage(): Host['localStorage'] | null {
  try {
    return host.localStorage ?? null;
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
  if (host.document) host.document.documentElement.dataset.theme = theme;
}

const WIDTH_FIELD = { left: 'leftWidth', right: 'rightWidth', bottom: 'bottomHeight' } as const satisfies Record<
  Column,
  keyof Layout
>;

export const useLayout = create<LayoutStore>((set, get) => ({
  ...load(),
  setTheme: (theme) => set({ theme }),
  toggleTheme: () => set({ theme: get().theme === 'dark' ? 'light' : 'dark' }),
  setBottomTab: (bottomTab) => set({ bottomTab }),
  setChartSymbol: (chartSymbol) => set({ chartSymbol }),
  setChartInterval: (chartInterval) => set({ chartInterval }),
  setWidth: (column, px) => set({ [WIDTH_FIELD[column]]: clampWidth(column, px) }),
  reset: () => set({ ...DEFAULT_LAYOUT }),
}));

function snapshot(s: LayoutStore): Layout {
  const { theme, bottomTab, chartSymbol, chartInterval, leftWidth, rightWidth, bottomHeight } = s;
  return { theme, bottomTab, chartSymbol, chartInterval, leftWidth, rightWidth, bottomHeight };
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
